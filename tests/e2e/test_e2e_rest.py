"""End to end over the REST channel: the real Rasa server, the real action server, a real database.

Slow (each server start loads the model, about 30 s), so the scenarios are few and long.
"""
import json

import pytest
from sqlalchemy import text

from tests.helpers.services import REDIS_URL, postgres_schema, redis_or_skip
from tests.helpers.servers import Servers, joined, started



def conversation(servers, user):
    """say(message, *expected): sends a message and checks each expected piece is in the reply."""
    def say(message, *expected):
        reply = joined(servers.say(user, message))
        for piece in expected:
            assert piece in reply, f"after {message!r} expected {piece!r} in:\n{reply}"
        return reply
    return say


@pytest.fixture(scope="module")
def sqlite_servers(tmp_path_factory):
    with started(tmp_path_factory, "e2e-sqlite") as servers:
        yield servers


def test_slack_and_teams_are_off_without_their_settings(sqlite_servers):
    status, text = sqlite_servers.post("/webhooks/slack/webhook", b"{}", {"Content-Type": "application/json"})
    assert status == 404 and "The Slack channel is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in text
    status, text = sqlite_servers.post("/webhooks/botframework/webhook", b"{}", {"Content-Type": "application/json"})
    assert status == 404 and "The Teams channel is off: set TEAMS_APP_ID and TEAMS_APP_PASSWORD" in text


def test_whole_self_assessment_with_detours_then_export(sqlite_servers):
    s, user = sqlite_servers, "e2e-principal"
    turn = conversation(s, user)

    turn("hi", "Common Ground")
    messages = s.say(user, "let's do the self-assessment")
    assert messages[-1]["text"].startswith("Question 1 of 17")
    assert [b["title"] for b in messages[-1]["buttons"]] == [
        "Strongly disagree", "Disagree", "Agree", "Strongly agree", "Not applicable"]
    turn("absolutely", "Recorded strongly agree for question 1", "Question 2 of 17")
    turn("what does this mean?", 'Question 2, "We can picture', "Question 2:")
    turn("mostly, but we haven't agreed on who leads", "Recorded agree for question 2", "Question 3 of 17")
    turn("stongly agree", "Recorded strongly agree for question 3")
    turn("partly", "no middle point", "Question 4:")
    turn("3", "Recorded agree for question 4", "Summary of unifying purpose")
    turn("Meet the charter board in January", "Saved your next steps", "Question 5 of 17")
    turn("<b>n/a</b>", "Recorded not applicable for question 5")
    turn("agree, the 2019 building dispute still hurts", "Recorded agree for question 6")
    turn("go back", "Going back to question 6", "Your answer so far: agree")
    turn("strongly agree", "Recorded strongly agree for question 6", "Question 7 of 17")
    turn("what is a champion?", "Champion:", "Question 7:")
    turn("👍", "Recorded agree for question 7")
    turn("很同意", "English", "Question 8")
    turn("disagree", "Recorded disagree for question 8", "counts against readiness")
    turn("skip", "Skipped the next steps", "Question 9 of 17")
    turn("agree, " + "details " * 1500, "shorter parts")      # 12,007 characters: refused at the door
    turn("agree", "Recorded agree for question 9")
    turn("not really", "Recorded disagree for question 10")
    turn("4", "Recorded strongly agree for question 11")
    turn("no idea", "not applicable", "Question 12:")
    turn("skip", "Skipped question 12", "Summary of characteristics of partners")
    turn("Robert'); DROP TABLE participants;--", "Saved your next steps", "Question 13 of 17")
    turn("I have to run", "pick up at question 13")
    turn("hi", "Welcome back")
    turn("continue", "picking up at question 13", "Question 13 of 17")
    turn("strongly disagree", "Recorded strongly disagree for question 13")
    turn("disagree", "Recorded disagree for question 14")
    turn("agree", "Recorded agree for question 15")
    turn("n/a", "Recorded not applicable for question 16")
    turn("agree, we meet monthly", "Recorded agree for question 17", "Summary of capacity")
    turn("Find a neutral convener", "Saved your next steps", "Your self-assessment overview", "What comes next")
    turn("change my answer on the second question to strongly disagree", "Changed question 2")

    data = s.export(user)
    assert data["user"] == user
    assert data["progress"] == {"stage": "self_assessment", "awaiting": None, "completed": ["self_assessment"],
                                "stages": {"purpose": "not started", "self_assessment": "done", "planning": "not started", "implementation": "not started", "sustainability": "not started"}}
    sa = data["self_assessment"]
    ratings = {f: v["rating"] for d in sa.values() for f, v in d["factors"].items()}
    assert ratings == {
        "unifying_purpose_1": "strongly_agree", "unifying_purpose_2": "strongly_disagree",
        "unifying_purpose_3": "strongly_agree", "unifying_purpose_4": "agree",
        "environment_1": "not_applicable", "environment_2": "strongly_agree", "environment_3": "agree",
        "environment_4": "disagree",
        "partners_1": "agree", "partners_2": "disagree", "partners_3": "strongly_agree", "partners_4": None,
        "capacity_1": "strongly_disagree", "capacity_2": "disagree", "capacity_3": "agree",
        "capacity_4": "not_applicable", "capacity_5": "agree",
    }
    assert sa["unifying_purpose"]["factors"]["unifying_purpose_2"]["note"] == "We haven't agreed on who leads"
    assert sa["environment"]["factors"]["environment_2"]["note"] == "The 2019 building dispute still hurts"
    assert sa["capacity"]["factors"]["capacity_5"]["note"] == "We meet monthly"
    assert [sa[d]["status"] for d in sa] == ["needs_work", "needs_work", "ready", "needs_work"]
    assert sa["unifying_purpose"]["next_steps"] == "Meet the charter board in January"
    assert sa["environment"]["next_steps"] is None
    assert sa["partners"]["next_steps"] == "Robert'); DROP TABLE participants;--"
    assert "| 6 | We have been through events" in s.export(user, "markdown")


def test_users_are_kept_apart(sqlite_servers):
    s = sqlite_servers
    s.say("e2e-a", "start the self-assessment")
    s.say("e2e-a", "strongly agree")
    s.say("e2e-b", "start the self-assessment")
    assert 'Question 1, "We have found' in joined(s.say("e2e-b", "what does this mean?"))
    assert s.export("e2e-b")["self_assessment"]["unifying_purpose"]["factors"]["unifying_purpose_1"]["rating"] is None


def test_restart_mid_conversation_resumes_on_postgresql_with_redis_locks(tmp_path):
    """The production path: PostgreSQL for answers and conversations, Redis for the conversation
    locks, servers restarted mid-question."""
    redis = redis_or_skip()
    sets_before = redis.info("commandstats").get("cmdstat_set", {}).get("calls", 0)
    with postgres_schema("cg_e2e") as (url, schema, admin):
        servers = Servers(url, tmp_path, env={"COMMON_GROUND_REDIS_URL": REDIS_URL})
        try:
            _restart_scenario(servers, schema, admin)
        finally:
            servers.stop()
    # every message took the conversation's lock in Redis (Rasa writes the lock with SET)
    assert redis.info("commandstats").get("cmdstat_set", {}).get("calls", 0) - sets_before >= 5
    assert not redis.keys("commonground:*")   # and released it


def _restart_scenario(servers, schema, admin):
    servers.start()
    user = "e2e-restart"
    servers.say(user, "start the self-assessment")
    for _ in range(3):
        servers.say(user, "agree")
    servers.stop()   # both servers go down with question 4 open
    servers.start()
    reply = joined(servers.say(user, "strongly agree"))
    assert "Recorded strongly agree for question 4" in reply and "Summary of unifying purpose" in reply
    data = servers.export(user)
    assert data["progress"]["awaiting"] == "unifying_purpose.next_steps"
    assert data["self_assessment"]["unifying_purpose"]["factors"]["unifying_purpose_4"]["rating"] == "strongly_agree"
    with admin.connect() as conn:
        events = conn.execute(text(f'SELECT count(*) FROM "{schema}".events WHERE sender_id = :s'),
                              {"s": user}).scalar()
    assert events > 10  # the conversation itself is in PostgreSQL too


def test_one_user_walks_all_five_stages_in_one_conversation_then_export(sqlite_servers):
    s, user = sqlite_servers, "e2e-planner"
    turn = conversation(s, user)

    turn("let's define our unifying purpose", "focused purpose", "Which kind of purpose")
    turn("3", "What problem or opportunity")
    turn("Families struggle to apply across two separate enrollment systems", "Which students and families")
    turn("all families with school-age children", "Why does this need both")
    turn("neither sector controls enrollment on its own", "initiator")
    turn("skip", "draft purpose statement")
    turn("yes", "What is a goal")
    turn("what are SMART goals?", "specific, measurable, achievable")
    turn("Increase FAFSA completion among seniors", "no measure: by how much", "no date: by when?")
    turn("Increase FAFSA completion among seniors from 55% to 70% by March 2027", "checks out", "achievable")
    turn("yes", "another goal")
    turn("no", "Stage A is complete")

    turn("what's next?", "✓ A. Unifying purpose and SMART goals: done (1 goal)", "Next: complete the self-assessment")
    turn("start the self-assessment", "Question 1 of 17")
    for dimension_ratings in (["agree"] * 4, ["agree", "disagree", "agree", "agree"], ["agree"] * 4,
                              ["disagree", "strongly disagree", "disagree", "agree", "agree"]):
        for rating in dimension_ratings:
            turn(rating, "Recorded")
        reply = turn("skip", "Skipped the next steps")
    assert "Your self-assessment overview" in reply and "Capacity, resources and structures: needs work" in reply
    turn("what's next?", "✓ B. Self-assessment: done (3 of 4 dimensions ready)",
         "capacity needs work, so plan a right-sized pilot")

    turn("let's do the 5 whys", "The 5 Whys", "what problem is your collaboration trying to solve")
    turn("why 5 whys?", "symptoms to causes")
    turn("Ninth graders who switch sectors lose credits", "Why 1")
    turn("Transcripts arrive weeks late", "How do you know?")
    turn("Registrar logs show 30-day delays", "Why 2")
    turn("go back", "Going back to: evidence for why 1")
    turn("Registrar logs show 30 to 45 day delays", "Why 2")
    turn("There is no shared way to send records", "How do you know?")
    turn("Both sectors use different student systems", "Why 3")
    turn("that's the root", "2 why(s) recorded", "Which of these causes")
    turn("1 and 2", "Root cause(s) noted", "would the problem be prevented")
    turn("yes", "would the problem be prevented")
    turn("not sure", "Your 5 Whys is saved")

    turn("start the logic model", "logic model maps", "Suggested")
    turn("yes", "Inputs and resources")
    turn("Registrar time; A shared data platform", "Added 2")
    for _ in range(8):
        reply = turn("done")
    assert "logic model is saved" in reply

    turn("start an action plan", "right-sized scope", "Suggested: \"Increase FAFSA completion")
    turn("yes", "Outcomes")
    turn("70% of seniors complete FAFSA", "Added 1")
    turn("done", "Step 1: what will be done?")
    for answer in ["Run joint FAFSA nights", "Counselors from both sectors", "October 2026", "Rooms and laptops",
                   "Rooms", "Schedules clash", "Monthly newsletter to families"]:
        turn(answer)
    turn("no", "Evidence of success")
    turn("Weekly completion counts", "Evaluation")
    turn("State FAFSA data in April", "Capacity to collaborate")
    turn("Joint counselor training", "Scope")
    turn("Two high schools first, as an easy win", "saved with 1 step(s)")

    turn("where are we in the five stages?", "✓ C. Planning", "Next: start implementing")
    turn("implementation check-in", "three phases", "Which phase")
    turn("piloting", "Piloting, quality 1 of 8")
    turn("partly: the charter board agreed, the district has not announced it", "partly in place", "next step")
    turn("Ana briefs the district board in April", "quality 2 of 8")
    turn("what does piloting mean?", "Think small before going big", "quality 2 of 8")
    for answer in ["yes", "yes", "yes", "yes", "not yet", "none", "yes"]:
        turn(answer)
    turn("n/a", "Check-in of", "on piloting saved: 5 of 8 qualities in place",
         "still open: pilot defined, pilot results reviewed")

    turn("start the sustainability checklist", "eleven points", "Point 1 of 11")
    turn("yes: the Riverside Compact", "A name: in place")
    for answer in ["yes", "yes", "partly", "Budget paid hours in the spring"]:
        turn(answer)
    turn("yes", "Point 6 of 11")  # point 5: the logic model built above
    for answer in ["yes"] * 4 + ["not yet", "Draft bylaws with both boards"]:
        turn(answer)
    reply = turn("yes", "Sustainability checklist saved: 9 of 11 points in place", "fresh self-assessment")
    turn("what's next?", "✓ E. Sustaining", "Next: start a new self-assessment round")

    data = s.export(user)
    assert data["purpose"].startswith("Together, district and charter partners will tackle this")
    assert data["smart_goals"] == [{"text": "Increase FAFSA completion among seniors from 55% to 70% by March 2027",
                                    "checks": {"specific": True, "measurable": True, "achievable": True,
                                               "results_oriented": True, "time_bound": True}}]
    assert data["five_whys"]["whys"][0] == {"answer": "Transcripts arrive weeks late",
                                            "evidence": "Registrar logs show 30 to 45 day delays"}
    assert [c["validated"] for c in data["five_whys"]["root_causes"]] == [True, None]
    assert data["logic_model"]["problem"] == "Ninth graders who switch sectors lose credits"
    assert data["logic_model"]["inputs"] == ["Registrar time", "A shared data platform"]
    plan = data["action_plans"][0]
    assert plan["steps"] == [{"action": "Run joint FAFSA nights", "who": "Counselors from both sectors",
                              "by_when": "October 2026", "resources_needed": "Rooms and laptops",
                              "resources_available": "Rooms", "barriers": "Schedules clash",
                              "communications": "Monthly newsletter to families"}]
    assert plan["scope"] == "Two high schools first, as an easy win"
    markdown = s.export(user, "markdown")
    assert "| 1 | Run joint FAFSA nights | Counselors from both sectors |" in markdown
    assert "## D. Implementing" in markdown and "## E. Sustaining collaboration" in markdown

    assert data["progress"]["completed"] == ["purpose", "self_assessment", "planning", "implementation",
                                             "sustainability"]
    assert data["progress"]["stage"] == "sustainability"
    check_in = data["implementation"][0]
    assert check_in["phase"] == "piloting" and check_in["in_place"] == 5 and check_in["total"] == 8
    assert check_in["qualities"][0]["note"] == "the charter board agreed, the district has not announced it"
    assert check_in["qualities"][0]["next_step"] == "Ana briefs the district board in April"
    assert [p["status"] for p in data["sustainability"]["points"]] == [
        "yes", "yes", "yes", "partly", "yes", "yes", "yes", "yes", "yes", "not_yet", "yes"]
    assert data["assessment_rounds"][0]["dimensions"]["capacity"]["status"] == "needs_work"


def test_a_reminder_is_scheduled_and_delivered(sqlite_servers):
    s, user = sqlite_servers, "e2e-reminded"
    turn = conversation(s, user)
    turn("start the self-assessment", "Question 1 of 17")
    turn("agree", "Recorded agree for question 1")
    turn("remind me in 4 seconds to finish this", "I'll remind you in 4 seconds to finish this", "Question 2:")
    assert s.get("/webhooks/reminders/")["pending"] >= 1
    found = s.wait_for_bot_text(user, "Reminder: you asked me to remind you to finish this")
    assert "Next: finish your self-assessment" in found
    turn("agree", "Recorded agree for question 2")  # the conversation goes on where it was


def test_a_reminder_survives_a_server_restart(tmp_path):
    servers = Servers(f"sqlite:///{tmp_path / 'restart.db'}", tmp_path)
    servers.start()
    try:
        user = "e2e-restart-reminder"
        conversation(servers, user)("remind me in 3 seconds to start the logic model",
                                    "I'll remind you in 3 seconds to start the logic model")
        servers.stop()  # the in-memory schedule is gone; the reminder comes due while the server is down
        servers.start()
        found = servers.wait_for_bot_text(user, "Reminder: you asked me to remind you to start the logic model")
        assert "Next:" in found
        assert servers.get("/webhooks/reminders/")["pending"] == 0
    finally:
        servers.stop()


def test_lesson_questions_detail_and_reflection(sqlite_servers):
    s, user = sqlite_servers, "e2e-reader"
    turn = conversation(s, user)
    messages = s.say(user, "what did DC do about enrollment?")
    answer = messages[0]
    assert answer["text"].startswith("My School DC (District of Columbia):") and "Source: 001" in answer["text"]
    assert len(answer["text"]) < 900
    assert [b["title"] for b in answer["buttons"]] == ["More detail", "Related lessons"]
    turn(answer["buttons"][0]["payload"], "Common Lottery Board", "What went well")
    turn("anything similar?", "Related lessons:")
    turn("why did the midyear transfer pilots fail?", "What went wrong")
    turn("how did Boston get started?", "Massachusetts")
    turn("let's reflect on the profiles", "reflection", "Which profile")
    turn("Both", "What stood out")
    turn("The common lottery, because families had too many forms", "connect")
    data = s.export(user)
    assert data["reflections"]["case"] == "Both"
    assert data["reflections"]["stood_out"] == "The common lottery, because families had too many forms"


# --- teams --------------------------------------------------------------------------------------

def _self_assessment(servers, user, per_dimension):
    """Answers the 17 factors with one answer per dimension (4, 4, 4, 5 factors) and skips the next steps."""
    say = conversation(servers, user)
    say("let's do the self-assessment", "Question 1 of 17")
    for answer, count in zip(per_dimension, (4, 4, 4, 5)):
        for _ in range(count):
            say(answer)
        say("skip")
    return say("show my progress", "Self-assessment: done")


def test_three_partners_answer_at_once_then_compare_remind_and_one_deletes(sqlite_servers):
    import re
    from concurrent.futures import ThreadPoolExecutor

    s = sqlite_servers
    ana, ben, cara, dan = (conversation(s, f"e2e-{n}") for n in ("ana", "ben", "cara", "dan"))
    code = re.search(r"join team ([A-Z0-9]{6})", ana("create a team called Boston Compact", "facilitator")).group(1)
    ana("Ana", "Which organisation")
    ana("Boston Public Schools", "Which sector")
    ana("District", "your role")
    ana("chief of staff", "Your partners will see you as Ana (Boston Public Schools, District, chief of staff)")
    ben("join team K7P2QO", "never contain O")                              # a mistyped code
    ben(f"join team {code.lower()}", "Welcome to Boston Compact", "What name should your partners see")
    for answer in ("Ben", "Match Charter", "2", "principal"):
        ben(answer)
    cara(f"I have a team code: {code}", "Welcome to Boston Compact")
    for answer in ("Cara", "Archdiocese schools", "Catholic or private school", "principal"):
        cara(answer)
    dan(f"join team {code}", "member number 4")
    for answer in ("Dan", "Mayor's office", "City or state agency", "education adviser"):
        dan(answer)

    with ThreadPoolExecutor(max_workers=3) as pool:   # three partners answering in the same minutes
        done = list(pool.map(lambda args: _self_assessment(s, *args), [
            ("e2e-ana", ("strongly agree", "agree", "agree", "agree")),
            ("e2e-ben", ("disagree", "agree", "n/a", "agree")),
            ("e2e-cara", ("strongly disagree", "agree", "strongly agree", "n/a"))]))
    assert all("Self-assessment: done" in text for text in done)

    assert "Where you differ most" in ben("compare our ratings", "3 of 4 members have answered")
    text = ben("compare our ratings in detail", "3 of 4 members have answered", "For your partner meeting")
    assert "1. shared problem: 3 answered (SD 1 D 1 SA 1), average 2.3 ⚑" in text
    assert "9. cross-section of people: 3 answered (A 1 SA 1 N/A 1), average 3.5" in text
    assert "average 3.5 ⚑" not in text and "members average" not in text   # one member per sector: no sector averages
    assert "Match Charter" not in text                                     # totals only: nobody opted in
    team = s.export(code, whose="--team")
    factor = team["comparison"]["dimensions"]["unifying_purpose"]["factors"]["unifying_purpose_1"]
    assert factor["counts"]["strongly_agree"] == 1 and factor["mean"] == 2.33 and factor["flags"] == ["spread"]
    assert team["comparison"]["dimensions"]["capacity"]["factors"]["capacity_5"]["mean"] == 3.0  # N/A left out
    assert [m["sector"] for m in team["members"]] == ["district", "charter", "catholic_private", "agency"]

    ben("team progress", "Only a facilitator")
    status = ana("who has finished?", "Dan (Mayor's office): self-assessment not started")
    assert "Ben (Match Charter): self-assessment done" in status
    ana("remind those who have not finished", "I'll remind Dan (Mayor's office)")
    assert "finish your self-assessment for Boston Compact" in s.wait_for_bot_text(
        "e2e-dan", "A reminder from your team")

    # an outsider naming the code learns nothing
    outsider = conversation(s, "e2e-eve")
    reply = outsider(f"compare ratings for team {code}", "not in a team")
    assert "average" not in reply and "Boston" not in reply

    cara("delete my data", "yes, delete everything", "Boston Compact")
    cara("keep my data", "Nothing was deleted")
    cara("delete my data", "It cannot be undone")
    assert s.export("e2e-cara")["self_assessment"]["unifying_purpose"]["factors"]["unifying_purpose_1"]["rating"] == \
        "strongly_disagree"
    cara("yes, delete everything", "Done: everything you told me is deleted (17 ratings")
    assert "no stored work" in s.export_fails("e2e-cara")
    assert not any("Archdiocese" in (e.get("text") or "") for e in s.get("/conversations/e2e-cara/tracker")["events"])
    team = s.export(code, whose="--team")
    assert [m["name"] for m in team["members"]] == ["Ana", "Ben", "Dan"] and "Cara" not in json.dumps(team)
    assert team["comparison"]["answered"] == 2 and team["comparison"]["shown"] is False


def test_send_me_my_report_gives_a_link_only_to_that_report(sqlite_servers):
    import io
    import re

    from docx import Document

    s, user = sqlite_servers, "e2e-reporter"
    say = conversation(s, user)
    say("let's do the self-assessment", "Question 1 of 17")
    say("agree, the superintendent and the charter board both signed on", "Recorded agree for question 1")
    say("I have to run")
    reply = say("send me my report", "Your report is ready to download")
    link = re.search(r"(http://\S+\.docx)", reply).group(1)
    status, body = s.download(link)
    assert status == 200
    document = Document(io.BytesIO(body))
    first = next(t for t in document.tables if t.rows[0].cells[1].text == "Factor")
    assert [c.text for c in first.rows[1].cells][4] == "X"
    assert first.rows[1].cells[-1].text == "The superintendent and the charter board both signed on"
    token = link.split("/")[-2]
    assert s.download(link.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")))[0] == 404
    assert s.download(link.rsplit("/", 1)[0] + "/..%2F..%2Fe2e.db")[0] == 404
