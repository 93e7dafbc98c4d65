"""Microsoft Teams end to end through the Bot Framework connector: activities signed with a key the
stand-in of the Microsoft endpoints publishes (tests/microsoft_api.py), the bot's answers caught there."""
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers.microsoft_api import MicrosoftAPI
from tests.helpers.servers import started

APP_ID = "00000000-test-app"


@pytest.fixture(scope="module")
def microsoft():
    api = MicrosoftAPI(APP_ID).start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory, microsoft):
    with started(tmp_path_factory, "e2e-teams", env=microsoft.settings()) as servers:
        yield servers


def activity(microsoft, text, user="29:ana", conversation="a:conv-1", token=None):
    body = json.dumps({"type": "message", "text": text, "from": {"id": user, "name": "Ana"},
                       "recipient": {"id": "28:bot", "name": "Common Ground"},
                       "conversation": {"id": conversation}, "serviceUrl": microsoft.base,
                       "channelId": "msteams"}).encode()
    headers = {"Content-Type": "application/json"}
    if token is not False:
        headers["Authorization"] = f"Bearer {token or microsoft.token()}"
    return body, headers


def test_unauthenticated_or_forged_activities_are_refused(servers, microsoft):
    assert servers.post("/webhooks/botframework/webhook", *activity(microsoft, "hi", token=False))[0] == 401
    forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert servers.post("/webhooks/botframework/webhook",
                        *activity(microsoft, "hi", token=microsoft.token(key=forged)))[0] == 401
    assert servers.post("/webhooks/botframework/webhook",
                        *activity(microsoft, "hi", token=microsoft.token(audience="another-bot")))[0] == 401
    time.sleep(2)
    assert microsoft.activities == []


def test_buttons_are_one_tap_imback_actions_and_answers_come_back(servers, microsoft):
    assert servers.post("/webhooks/botframework/webhook",
                        *activity(microsoft, "<at>Common Ground</at> let's do the self-assessment"))[0] == 200
    question = microsoft.wait_for("Question 1 of 17", "a:conv-1")
    card = question["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.hero"
    assert [(b["type"], b["title"]) for b in card["content"]["buttons"]] == [
        ("imBack", "Strongly disagree"), ("imBack", "Disagree"), ("imBack", "Agree"), ("imBack", "Strongly agree"),
        ("imBack", "Not applicable")]
    assert question["auth"] == "Bearer bot-token"            # the bot authenticated with its own token
    tapped = card["content"]["buttons"][2]["value"]         # Teams sends an imBack's value as the user's text
    servers.post("/webhooks/botframework/webhook", *activity(microsoft, tapped))
    microsoft.wait_for("Recorded agree for question 1", "a:conv-1")
    assert servers.export("teams:29:ana")["self_assessment"]["unifying_purpose"]["factors"][
        "unifying_purpose_1"]["rating"] == "agree"


def test_a_report_is_uploaded_after_the_users_consent(servers, microsoft):
    servers.post("/webhooks/botframework/webhook",
                 *activity(microsoft, "let's do the self-assessment", user="29:ben", conversation="a:conv-2"))
    microsoft.wait_for("Question 1 of 17", "a:conv-2")
    servers.post("/webhooks/botframework/webhook",
                 *activity(microsoft, "send me my report", user="29:ben", conversation="a:conv-2"))
    consent = microsoft.wait_for("file.consent", "a:conv-2")["attachments"][0]
    assert consent["name"].endswith(".docx") and consent["content"]["sizeInBytes"] > 1000
    # the user presses Allow: Teams sends an invoke with an upload URL
    body, headers = activity(microsoft, "", user="29:ben", conversation="a:conv-2")
    invoke = {**json.loads(body), "type": "invoke", "name": "fileConsent/invoke", "value": {
        "type": "fileUpload", "action": "accept", "context": consent["content"]["acceptContext"],
        "uploadInfo": {"name": consent["name"], "uploadUrl": f"{microsoft.base}/drive/upload-1",
                       "contentUrl": "https://contoso.sharepoint.com/report.docx", "uniqueId": "u-1",
                       "fileType": "docx"}}}
    assert servers.post("/webhooks/botframework/webhook", json.dumps(invoke).encode(), headers)[0] == 200
    shown = microsoft.wait_for("file.info", "a:conv-2")["attachments"][0]
    assert shown["contentUrl"] == "https://contoso.sharepoint.com/report.docx"
    upload = microsoft.uploads[0]
    assert upload["data"][:2] == b"PK" and upload["range"] == f"bytes 0-{len(upload['data']) - 1}/{len(upload['data'])}"
    # a made-up context uploads nothing, and nor does Ben's real one sent by someone else
    forged = {**invoke, "value": {**invoke["value"], "context": {"token": "A" * 32, "filename": "x.docx"}}}
    servers.post("/webhooks/botframework/webhook", json.dumps(forged).encode(), headers)
    microsoft.wait_for("No file then", "a:conv-2")
    body, headers = activity(microsoft, "", user="29:eve", conversation="a:conv-3")
    stolen = {**json.loads(body), "type": "invoke", "name": "fileConsent/invoke", "value": invoke["value"]}
    servers.post("/webhooks/botframework/webhook", json.dumps(stolen).encode(), headers)
    microsoft.wait_for("No file then", "a:conv-3")
    assert len(microsoft.uploads) == 1
