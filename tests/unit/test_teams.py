"""Teams at the service level: codes, profiles, shared worksheets, the comparison, privacy, deletion."""
import threading
from datetime import datetime, timedelta

import pytest

from bot.reports.export import UnknownTeam, UnknownUser
from bot.app import build
from bot.storage.models import utcnow
from bot.conversation.privacy import is_confirmation, is_delete_request, is_keep
from bot.teams.codes import ALPHABET, read_code
from bot.teams.requests import parse_request
from bot.content.knowledge import knowledge
from bot.reports.markdown import render_markdown
from bot.reports.blocks import team_report
from tests.helpers.app import exports
from tests.helpers.conversation import answer_assessment, say
from tests.helpers.teams import ANA, BEN, CARA, NOW, boston, code_of, profile, team


@pytest.fixture
def guide(db, kb):
    return build(db, kb).guide


# --- codes -------------------------------------------------------------------------------------

def test_creating_a_team_gives_a_code_makes_the_creator_facilitator_and_asks_for_a_profile(guide):
    text, form, _ = team(guide, "ana", "create a team called Boston Compact")
    code = code_of(guide)
    assert len(code) == 6 and set(code) <= set(ALPHABET)
    assert f"join team {code}" in text and "facilitator" in text
    assert form == "worksheet_form"
    assert "name should your partners see" in guide.question("ana", form).text
    with guide.db.transaction() as repo:
        (created, member), = repo.teams_of(repo.participant("ana"))
        assert created.name == "Boston Compact" and member.facilitator
        assert repo.participant("ana").team_id == created.id


def test_a_team_needs_a_name_of_sensible_length(guide):
    assert "What should the team be called" in team(guide, "ana", "create a team")[0]
    assert "keep it under" in team(guide, "ana", "create a team called " + "x" * 200)[0]


@pytest.mark.parametrize("typed, problem", [
    ("join team K7P2Q", "has 5"),
    ("join team K7P2QO", "never contain O"),
    ("join team 1234LL", "never contain 1, L"),
    ("join team Boston Compact", "not its name"),
    ("join team", "Which code?"),
    ("join team K7P2Q€", "letters and digits only"),
])
def test_malformed_codes_get_a_clear_answer(guide, typed, problem):
    text, form, _ = team(guide, "dan", typed)
    assert problem in text and form is None


def test_joining_by_code_in_any_case_and_spacing(guide):
    team(guide, "ana", "create a team called Boston Compact")
    code = code_of(guide)
    text, form, _ = team(guide, "ben", f"join team {code[:3].lower()} {code[3:].lower()}")
    assert "Welcome to Boston Compact" in text and "member number 2" in text and form == "worksheet_form"
    assert "already in Boston Compact" in team(guide, "ben", f"join team {code}")[0]


def test_unknown_and_expired_codes_join_nothing(guide):
    team(guide, "ana", "create a team called Boston Compact", now=NOW)
    code = code_of(guide)
    wrong = next(c for c in ALPHABET if c != code[-1])
    unknown, _, _ = team(guide, "ben", f"join team {code[:-1]}{wrong}")
    assert f"The code {code[:-1]}{wrong} doesn't open a team" in unknown
    with guide.db.transaction() as repo:
        repo.team_by_code(code).code_expires_at = utcnow() - timedelta(minutes=1)
    expired = team(guide, "ben", f"join team {code}")[0]
    # the same words for both, so trying codes tells nobody which ones existed
    assert expired == unknown.replace(f"{code[:-1]}{wrong}", code) and "new join code" in expired
    with guide.db.transaction() as repo:
        assert repo.teams_of(repo.participant("ben")) == []


def test_a_new_code_replaces_the_old_one_and_only_a_facilitator_may_ask(guide):
    code = boston(guide)
    assert "Only a facilitator" in team(guide, "ben", "new join code")[0]
    text = team(guide, "ana", "new join code")[0]
    new = code_of(guide)
    assert new != code and new in text
    assert "doesn't open a team" in team(guide, "dan", f"join team {code}")[0]
    assert "Welcome to Boston Compact" in team(guide, "dan", f"join team {new}")[0]


# --- shared work --------------------------------------------------------------------------------

def test_shared_worksheets_belong_to_the_team_with_who_wrote_what(guide):
    boston(guide)
    guide.start_worksheet("ana", "five_whys")
    say(guide, "Too few seniors complete financial aid forms", "ana")
    guide.pause("ana")
    turn, _ = guide.start_worksheet("ben", "five_whys")
    opening = turn.replies[0].text
    assert "Back to Boston Compact's 5 Whys" in opening and "Ana (Boston Public Schools): problem statement" in opening
    question = guide.question("ben", "worksheet_form").text
    assert "Why" in question
    say(guide, "Counselors carry 400 students each", "ben")
    data = exports(guide.db).team(code_of(guide))
    assert data["five_whys"]["problem"] == "Too few seniors complete financial aid forms"
    assert data["five_whys"]["whys"][0]["answer"] == "Counselors carry 400 students each"
    assert data["contributions"]["five_whys"] == {"problem": "Ana (Boston Public Schools)",
                                                  "whys.0.answer": "Ben (Match Charter)"}
    # the self-assessment and personal exports stay personal
    assert exports(guide.db).user("ben")["five_whys"]["problem"] is None


def test_working_on_my_own_uses_my_own_worksheets_and_switching_back_finds_the_team_work(guide):
    boston(guide)
    guide.start_worksheet("ana", "five_whys")
    say(guide, "Shared problem for the team", "ana")
    assert "Now working on your own" in team(guide, "ana", "work on my own")[0]
    guide.start_worksheet("ana", "five_whys")
    assert "problem" in guide.question("ana", "worksheet_form").text.lower()
    say(guide, "My own district's problem", "ana")
    assert "Now working on Boston Compact" in team(guide, "ana", "work on team boston compact")[0]
    assert exports(guide.db).team(code_of(guide))["five_whys"]["problem"] == "Shared problem for the team"
    assert exports(guide.db).user("ana")["five_whys"]["problem"] == "My own district's problem"


def test_a_user_in_two_teams_says_which_one_they_work_on(guide):
    boston(guide)
    team(guide, "ana", "create a team called Springfield Partners")
    profile(guide, "ana", "Ana", "Springfield Public Schools", "District")
    listing = team(guide, "ana", "which teams am I in?")[0]
    assert "Boston Compact" in listing and "Springfield Partners" in listing and "working on it now" in listing
    assert "Now working on Boston Compact" in team(guide, "ana", f"switch to team {code_of(guide, 'ben')}")[0]


def test_two_partners_adding_to_one_list_at_the_same_moment_keep_both(postgres_db, kb):
    """Each answer holds the team's row until it commits, so neither overwrites the other."""
    guide = build(postgres_db, kb).guide
    boston(guide, members=(("ana", "Ana", "BPS", "District"), ("ben", "Ben", "Match", "Charter")))
    for user in ("ana", "ben"):
        guide.start_worksheet(user, "logic_model")
        say(guide, "Too few seniors file the FAFSA", user) if user == "ana" else None
    with guide.db.transaction() as repo:
        awaiting = repo.participant("ana").awaiting
        repo.participant("ben").awaiting = awaiting
    errors = []

    def add(user, item):
        try:
            say(guide, item, user)
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=add, args=(u, f"{u}'s input {i}")) for i in range(5) for u in ("ana", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    inputs = exports(guide.db).team(code_of(guide))["logic_model"]["inputs"]
    assert sorted(inputs) == sorted(f"{u}'s input {i}" for i in range(5) for u in ("ana", "ben"))


# --- the comparison -----------------------------------------------------------------------------


def test_nothing_is_compared_until_three_members_have_answered(guide):
    boston(guide)
    answer_assessment(guide, ANA, "ana")
    answer_assessment(guide, BEN, "ben")
    text = team(guide, "ben", "compare our ratings")[0]
    assert "2 of 3 members have answered" in text and "1 more to go" in text
    assert "average" not in text and "Disagree" not in text
    data = exports(guide.db).team(code_of(guide))["comparison"]
    assert data["shown"] is False and data["dimensions"] == {}
    assert "Only a facilitator" in team(guide, "ben", "compare with 2 members")[0]
    assert "fewer than three" in team(guide, "ana", "compare with 2 members")[0]
    assert "2 of 3 members have answered" in team(guide, "ben", "compare our ratings")[0]
    assert "average" in team(guide, "ben", "compare our ratings in detail")[0]


def test_the_comparison_counts_averages_without_na_and_flags_disagreement(guide):
    boston(guide)
    for user, ratings in (("ana", ANA), ("ben", BEN), ("cara", CARA)):
        answer_assessment(guide, ratings, user)
    text = team(guide, "ana", "compare our ratings")[0]
    assert "3 of 3 members have answered" in text
    comparison = exports(guide.db).team(code_of(guide))["comparison"]
    purpose_1 = comparison["dimensions"]["unifying_purpose"]["factors"]["unifying_purpose_1"]
    assert purpose_1["answered"] == 3
    assert purpose_1["counts"] == {"strongly_disagree": 1, "disagree": 1, "agree": 0, "strongly_agree": 1,
                                   "not_applicable": 0}
    assert purpose_1["mean"] == round((4 + 2 + 1) / 3, 2)
    # one member per sector: a sector "average" would be that member's rating, so none is shown
    assert purpose_1["flags"] == ["spread"] and purpose_1["sector_means"] is None
    assert "strongly disagree" in purpose_1["prompt"] and "members average" not in purpose_1["prompt"]
    assert "District members average" not in text
    team(guide, "ana", "show ratings by organisation")   # opted in: ratings are shown by organisation anyway
    comparison = exports(guide.db).team(code_of(guide))["comparison"]
    purpose_1 = comparison["dimensions"]["unifying_purpose"]["factors"]["unifying_purpose_1"]
    assert purpose_1["flags"] == ["spread", "sectors"]
    assert "District members average 4.0" in purpose_1["prompt"]
    partners_1 = comparison["dimensions"]["partners"]["factors"]["partners_1"]
    assert partners_1["counts"]["not_applicable"] == 1 and partners_1["mean"] == 3.5   # N/A counted, not averaged
    assert partners_1["flags"] == ["sectors"]                                           # 3 vs 4: one step apart
    environment_1 = comparison["dimensions"]["environment"]["factors"]["environment_1"]
    assert environment_1["flags"] == [] and environment_1["prompt"] is None             # everyone agrees
    capacity_1 = comparison["dimensions"]["capacity"]["factors"]["capacity_1"]
    assert capacity_1["answered"] == 3 and capacity_1["mean"] == 3.0
    # the discussion prompts follow the table in chat
    assert "For your partner meeting" in text and "Factor 1 (" in text


def test_ratings_by_organisation_only_when_the_team_opted_in(guide):
    boston(guide)
    for user, ratings in (("ana", ANA), ("ben", BEN), ("cara", CARA)):
        answer_assessment(guide, ratings, user)
    hidden = team(guide, "ben", "compare our ratings")[0]
    assert "Match Charter" not in hidden and "Archdiocese" not in hidden
    assert "by_organisation" not in exports(guide.db).team(code_of(guide))["comparison"]["dimensions"]["capacity"][
        "factors"]["capacity_1"]
    assert "Only a facilitator" in team(guide, "ben", "show ratings by organisation")[0]
    team(guide, "ana", "show ratings by organisation")
    shown = team(guide, "ben", "compare our ratings in detail")[0]
    assert "Match Charter: disagree" in shown and "Archdiocese schools: strongly disagree" in shown


def test_sector_averages_need_as_many_raters_as_the_team_shows_at_least(guide):
    members = [(f"d{i}", f"D{i}", "Boston Public Schools", "District") for i in range(3)] + \
              [(f"c{i}", f"C{i}", f"Charter {i}", "Charter") for i in range(2)]
    boston(guide, members=tuple(members))
    for user, _, _, sector in members:
        answer_assessment(guide, (["strongly_agree"] if sector == "District" else ["strongly_disagree"]) * 17, user)
    factor = exports(guide.db).team(code_of(guide, "d0"))["comparison"]["dimensions"]["unifying_purpose"][
        "factors"]["unifying_purpose_1"]
    assert factor["sector_means"] == {"district": 4.0}   # three district raters; the two charter ones stay pooled
    assert "sectors" not in factor["flags"]


def test_the_comparison_fits_a_chat_window_unless_detail_is_asked_for(guide):
    boston(guide)
    for user, ratings in (("ana", ANA), ("ben", BEN), ("cara", CARA)):
        answer_assessment(guide, ratings, user)
    short = guide.team("ben", "compare our ratings", NOW)[0].replies
    full = guide.team("ben", "compare our ratings in detail", NOW)[0].replies
    assert len(short) <= 2 and sum(len(r.text) for r in short) < 1500
    assert "Where you differ most" in short[0].text and short[1].buttons[0].payload == "compare our ratings in detail"
    assert sum(len(r.text) for r in full) > sum(len(r.text) for r in short)


def test_members_who_have_not_answered_count_as_members_but_not_as_answers(guide):
    boston(guide, members=(("ana", "Ana", "BPS", "District"), ("ben", "Ben", "Match", "Charter"),
                           ("cara", "Cara", "KIPP", "Charter"), ("dan", "Dan", "Mayor's office", "City or state agency")))
    for user, ratings in (("ana", ANA), ("ben", BEN), ("cara", CARA)):
        answer_assessment(guide, ratings, user)
    assert "3 of 4 members have answered" in team(guide, "dan", "compare our ratings")[0]


# --- the facilitator ------------------------------------------------------------------------------

def test_the_facilitator_sees_who_has_finished_and_reminds_the_others(guide):
    boston(guide)
    answer_assessment(guide, ANA, "ana")
    answer_assessment(guide, BEN[:5], "ben")
    status = team(guide, "ana", "who has finished?")[0]
    assert "Ana (Boston Public Schools) [facilitator]: self-assessment done" in status
    assert "Ben (Match Charter): self-assessment 5 of 17 answered" in status
    assert "Cara (Archdiocese schools): self-assessment not started" in status
    assert "Only a facilitator" in team(guide, "ben", "team progress")[0]
    assert "Only a facilitator" in team(guide, "ben", "remind the others")[0]
    text, _, scheduled = team(guide, "ana", "remind those who have not finished")
    assert "Ben (Match Charter)" in text and "Cara (Archdiocese schools)" in text
    assert sorted(sender for sender, _, _ in scheduled) == ["ben", "cara"]
    assert "Already reminded" in team(guide, "ana", "remind the others")[0]   # no second reminder
    delivered = guide.reminder_due("ben", now=datetime.now() + timedelta(minutes=1))
    assert "A reminder from your team: please finish your self-assessment for Boston Compact" in delivered[0].text


def test_a_facilitator_can_name_another(guide):
    boston(guide)
    assert "Which member?" in team(guide, "ana", "make Zed a facilitator")[0]
    assert "Ben (Match Charter) is now a facilitator" in team(guide, "ana", "make Ben a facilitator")[0]
    assert "Boston Compact: 3 members" in team(guide, "ben", "team progress")[0]


def test_leaving_keeps_the_shared_work_and_the_team_keeps_a_facilitator(guide):
    boston(guide, members=(("ana", "Ana", "BPS", "District"), ("ben", "Ben", "Match", "Charter")))
    guide.start_worksheet("ana", "five_whys")
    say(guide, "Enrollment information is scattered", "ana")
    guide.pause("ana")
    assert "You've left Boston Compact" in team(guide, "ana", "leave the team")[0]
    assert exports(guide.db).team(code_of(guide, "ben"))["five_whys"]["problem"] == "Enrollment information is scattered"
    assert "Boston Compact: 1 member" in team(guide, "ben", "team progress")[0]   # Ben took over
    assert "only member" in team(guide, "ben", "leave the team")[0]


# --- privacy --------------------------------------------------------------------------------------

def test_outsiders_cannot_read_a_team_by_naming_its_code_or_name(guide):
    code = boston(guide)
    for user, ratings in (("ana", ANA), ("ben", BEN), ("cara", CARA)):
        answer_assessment(guide, ratings, user)
    for text in (f"compare ratings for team {code}", "compare ratings for team Boston Compact",
                 f"team progress for team {code}", f"work on team {code}", "compare our ratings", "team progress"):
        reply = team(guide, "eve", text)[0]
        assert "average" not in reply and "Ana" not in reply and "answered" not in reply, text
    # a member of another team cannot reach Boston's numbers either
    team(guide, "eve", "create a team called Eve's Team")
    reply = team(guide, "eve", f"compare ratings for team {code}")[0]
    assert "not in a team" in reply and "Boston Compact" not in reply
    # naming someone's id in a message shows the speaker's own work only
    guide.start_worksheet("ana", "five_whys")
    say(guide, "Secret district problem", "ana")
    progress = "\n".join(r.text for r in guide.progress("eve"))
    assert "Secret" not in progress and "Ana" not in progress


def test_delete_my_data_asks_first_then_removes_everything_and_only_that(guide):
    code = boston(guide)
    answer_assessment(guide, ANA, "ben")
    guide.start_worksheet("ana", "five_whys")
    say(guide, "Families can't compare schools", "ana")
    say(guide, "Information is scattered", "ana")
    guide.pause("ana")
    guide.start_worksheet("ben", "five_whys")
    say(guide, "Every sector publishes its own guide", "ben")
    guide.pause("ben")
    guide.set_reminder("ben", "remind me tomorrow to finish this", datetime.now())

    ask = guide.delete_data("ben", confirmed=False)
    assert "yes, delete everything" in ask.text and "Boston Compact" in ask.text
    assert exports(guide.db).user("ben")["self_assessment"]["capacity"]["factors"]["capacity_1"]["rating"] == "agree"

    done = guide.delete_data("ben", confirmed=True)
    assert "17 ratings" in done.text and "1 of your answers" in done.text
    with pytest.raises(UnknownUser):
        exports(guide.db).user("ben")
    data = exports(guide.db).team(code)
    assert data["five_whys"]["problem"] == "Families can't compare schools"      # Ana's answers stay
    assert [w["answer"] for w in data["five_whys"]["whys"]] == ["Information is scattered"]
    assert "Ben" not in str(data) and "Every sector publishes" not in str(data)
    assert [m["name"] for m in data["members"]] == ["Ana", "Cara"]
    with guide.db.transaction() as repo:
        assert repo.pending_reminders() == []
    assert "nothing to delete" in guide.delete_data("ben", confirmed=True).text


def test_deleting_the_last_member_deletes_the_team_and_a_lone_facilitator_is_replaced(guide):
    code = boston(guide, members=(("ana", "Ana", "BPS", "District"), ("ben", "Ben", "Match", "Charter")))
    guide.delete_data("ana", confirmed=True)
    assert exports(guide.db).team(code)["members"][0]["facilitator"] is True
    guide.delete_data("ben", confirmed=True)
    with pytest.raises(UnknownTeam):
        exports(guide.db).team(code)


def test_the_per_user_export_lists_teams_and_the_team_export_renders(guide):
    code = boston(guide)
    teams = exports(guide.db).user("ben")["teams"]
    assert teams == [{"code": code, "name": "Boston Compact", "facilitator": False, "working_on": True,
                      "profile": {"name": "Ben", "organisation": "Match Charter", "sector": "charter",
                                  "role": "principal"}}]
    markdown = render_markdown(team_report(exports(guide.db).team(code), knowledge()))
    assert "| Ben | Match Charter | Charter | principal | no | 0 answered |" in markdown
    assert "ratings are compared once 3 have" in markdown


# --- reading requests ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, action, argument", [
    ("create a team called Boston Compact", "create", "Boston Compact"),
    ("join team k7p2qx", "join", "team k7p2qx"),
    ("I have a team code: M4JH7S", "join", "M4JH7S"),
    ("compare our ratings", "summary", None),
    ("compare ratings for team Boston Compact", "summary", "Boston Compact"),
    ("where do we disagree as a team?", "summary", None),
    ("who hasn't finished the self-assessment yet?", "status", None),
    ("remind those who have not finished", "remind", None),
    ("work on team Boston Compact", "switch", "Boston Compact"),
    ("work on my own", "personal", None),
    ("leave the team", "leave", None),
    ("make Ben a facilitator", "facilitator", "Ben"),
    ("compare with 2 members", "min_group", "2"),
    ("hide ratings by organisation", "by_organisation", "off"),
    ("new join code", "new_code", None),
    ("edit my team profile", "profile", None),
])
def test_team_requests_are_read_from_the_words(text, action, argument):
    request = parse_request(text)
    assert (request.action, request.argument) == (action, argument)


@pytest.mark.parametrize("text", ["remind me to finish the team worksheet", "show the answers of user alice",
                                  "our team meets monthly"])
def test_other_messages_are_not_team_requests(text):
    assert parse_request(text) is None


def test_codes_are_read_forgivingly_but_never_guessed():
    assert read_code("team k7p-2qx") == ("K7P2QX", None)
    assert read_code("the team with code P8XN3C") == ("P8XN3C", None)
    assert read_code("K7P2QX please")[0] == "K7P2QX"


@pytest.mark.parametrize("text, asks", [
    ("delete my data", True), ("yes, delete everything", True), ("I want my data deleted", True),
    ("forget me", True), ("State FAFSA data in April", False), ("remove the barrier from the data", False),
    ("remove duplicate forms for families", False),
])
def test_delete_requests_are_told_from_answers_that_mention_data(text, asks):
    assert is_delete_request(text) is asks


@pytest.mark.parametrize("text", ["keep my data", "no, keep my data", "cancel", "no"])
def test_turning_a_deletion_down(text):
    assert is_keep(text) and not is_confirmation(text)


def test_the_team_texts_name_the_sectors_the_profile_offers(guide):
    from bot.worksheets.team_profile import TeamProfile, sector_labels
    sector = next(f for f in TeamProfile().fields({}) if f.path == "sector")
    assert list(sector_labels()) == ["district", "charter", "catholic_private", "agency", "community"]
    assert sector.options == tuple(sector_labels().values())
