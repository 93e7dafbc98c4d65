"""Conversations at the service level, typed the way the tests' users type them."""
from __future__ import annotations


def say(guide, text, user="u"):
    """One message to the open worksheet: (the replies as one text, the turn)."""
    turn = guide.workbook.handle(user, text)
    return "\n".join(r.text for r in turn.replies), turn


def fill_purpose(guide, user="u"):
    guide.workbook.start(user, "purpose")
    for answer in ["3", "Families struggle to apply across two separate enrollment systems",
                   "all families with school-age children in the city",
                   "neither sector controls enrollment on its own", "the charter board's director", "yes"]:
        say(guide, answer, user)


def run_five_whys(guide, user="u"):
    guide.workbook.start(user, "five_whys")
    for answer in ["Ninth graders who switch sectors lose credits",
                   "Transcripts arrive weeks late", "Registrar logs show 30-day delays",
                   "There is no shared way to send records", "Both sectors use different student systems",
                   "that's the root", "1 and 2", "yes", "not sure"]:
        text, turn = say(guide, answer, user)
    return text, turn


def complete_purpose(guide, user="u"):
    fill_purpose(guide, user)
    for answer in ["Increase FAFSA completion among seniors from 55% to 70% by March 2027", "yes", "no"]:
        say(guide, answer, user)


def answer_assessment(guide, ratings, user="u"):
    """Answers all 17 factors (ratings: one per factor, in order) and skips the four next-steps questions."""
    guide.start_self_assessment(user)
    given = iter(ratings)
    for _ in range(21):
        with guide.db.transaction() as repo:
            step = repo.participant(user).awaiting
        if step is None:
            break
        if not step.endswith(".next_steps"):
            rating = next(given, None)
            if rating is None:
                break
        guide.assessment.handle(user, "skip" if step.endswith(".next_steps") else rating)
