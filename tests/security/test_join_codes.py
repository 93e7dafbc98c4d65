"""Guessing join codes against the real servers: over REST as a user would, and through the action
server with the network address the channel reports, as the web page and REST calls carry it."""
from __future__ import annotations

import json
import re
import secrets
import urllib.request

import pytest
from sqlalchemy import create_engine, text

from bot.teams.codes import ALPHABET
from tests.helpers.servers import joined, started

PAUSED = "Joining is paused for now"



@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with started(tmp_path_factory, "join-codes") as servers:
        yield servers


def create_team(servers, user, name):
    reply = joined(servers.say(user, f"create a team called {name}"))
    found = re.search(r"join code is ([A-Z0-9]{6})", reply)
    assert found, reply
    return found.group(1)


def guesses(code, count):
    """Well-formed codes, none of them the real one."""
    seen = {code}
    while len(seen) <= count:
        guess = "".join(secrets.choice(ALPHABET) for _ in range(5)) + secrets.choice("23456789")
        if guess not in seen:
            seen.add(guess)
            yield guess


def query(servers, sql, **values):
    engine = create_engine(servers.database_url, future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), values).scalar_one()
    finally:
        engine.dispose()


def members(servers, code):
    return query(servers, "SELECT count(*) FROM team_members JOIN teams ON teams.id = team_members.team_id "
                          "WHERE teams.code = :code", code=code)


def test_fifty_guesses_over_rest_then_even_the_right_code_waits(servers):
    code = create_team(servers, "jc-ana", "Guessing Test")
    replies = [joined(servers.say("jc-mallory", f"join team {guess}")) for guess in guesses(code, 50)]
    assert all("doesn't open a team" in r for r in replies[:5]), replies[:5]
    assert all(r.startswith(PAUSED) and re.search(r"Please wait 1[0-5] minutes", r) for r in replies[5:]), replies[5:7]
    same = {re.sub(r"\d+", "N", r) for r in replies[5:]}
    assert len(same) == 1                                 # one answer, whatever was guessed
    assert re.sub(r"\d+", "N", joined(servers.say("jc-mallory", f"join team {code}"))) in same
    assert members(servers, code) == 1
    assert servers.export(code, whose="--team")["members"][0]["facilitator"] is True
    assert query(servers, "SELECT count(*) FROM join_attempts WHERE sender_id = 'jc-mallory'") == 5
    # another user, from the same machine, joins with the right code
    assert "Welcome to Guessing Test" in joined(servers.say("jc-ben", f"join team {code}"))
    assert members(servers, code) == 2


def action_call(servers, sender, message, address):
    """What Rasa posts to the action server for a team request, with the channel's address in the metadata."""
    call = {"next_action": "action_team", "sender_id": sender, "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": sender, "slots": {}, "events": [], "paused": False, "followup_action": None,
                        "active_loop": {}, "latest_action_name": "action_listen",
                        "latest_message": {"text": message, "intent": {"name": "join_team", "confidence": 1.0},
                                           "entities": [], "metadata": {"address": address}}}}
    request = urllib.request.Request(
        f"http://127.0.0.1:{servers.actions_port}/webhook", data=json.dumps(call).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": f"Bearer {servers.env['COMMON_GROUND_ACTIONS_TOKEN']}"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return "\n".join(r.get("text") or "" for r in json.load(reply)["responses"])


def test_many_identities_from_one_address_are_stopped_there_only(servers):
    code = create_team(servers, "jc-dana", "Address Test")
    wrong = guesses(code, 25)
    office, elsewhere = "198.51.100.7", "203.0.113.40"
    for person in range(4):                                # 4 fresh identities, 5 guesses each: 20
        for _ in range(5):
            assert "doesn't open a team" in action_call(servers, f"jc-web-{person}", f"join team {next(wrong)}", office)
    assert action_call(servers, "jc-web-new", f"join team {code}", office).startswith(PAUSED)
    assert "Welcome to Address Test" in action_call(servers, "jc-web-far", f"join team {code}", elsewhere)
    assert members(servers, code) == 2
