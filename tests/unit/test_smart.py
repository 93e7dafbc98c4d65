"""The SMART checker on goals of our own, good and bad, criterion by criterion."""
from datetime import date

import pytest

from bot.language.smart import ISSUE_MEASURABLE, ISSUE_RESULTS, ISSUE_SPECIFIC, ISSUE_TIME, check_goal

T, F = True, False

# goal text, specific, measurable, results-oriented, time-bound
GOALS = [
    # complete SMART goals
    ("Increase the four-year graduation rate for English learners in both sectors from 44% to 54% by June 2027.", T, T, T, T),
    ("Reduce chronic absence among ninth graders at our 12 partner schools by a third within two years.", T, T, T, T),
    ("Raise the share of families who apply through the common lottery from 60% to 75% by the spring 2027 round.", T, T, T, T),
    ("Cut the time it takes to transfer student records between district and charter schools to 10 days by December 2026.", T, T, T, T),
    ("By June 2027, 80% of students with IEPs who change sectors will have their services in place within 5 school days.", T, T, T, T),
    ("Increase reading proficiency of third graders in the pilot schools by 10 percentage points this school year.", T, T, T, T),
    ("Double the number of charter teachers attending joint special education training by fall 2026.", T, T, T, T),
    ("Close the math achievement gap between English learners and their peers by half within three years.", T, T, T, T),
    ("Enroll 500 more students in dual-credit courses across both sectors by the 2026-27 school year.", T, T, T, T),
    ("Improve attendance for homeless students from 82% to 90% by the end of the school year.", T, T, T, T),
    ("Lower suspensions of middle school students in partner schools by 25% next year.", T, T, T, T),
    ("Raise $500,000 from local funders to keep the enrollment hotline open for families through June 2028.", T, T, T, T),
    ("Ensure at least 90% of families receive placement offers before April 2027.", T, T, T, T),
    ("Increase FAFSA completion among seniors in all 8 high schools from 55% to 70% by March 2027.", T, T, T, T),
    ("Reduce the kindergarten waitlist in Ward 7 by 200 seats within 18 months.", T, T, T, T),
    ("Grow the number of students placed in their first-choice school from 1,200 to 1,500 in the 2027 lottery.", T, T, T, T),
    ("Decrease mid-year mobility between sectors by 15 percent over the next two years.", T, T, T, T),
    ("Boston charter and district schools will raise ELL math scores by 8 points by 2028.", T, T, T, T),
    ("Bring the dropout rate of students with disabilities down from 9% to 6% within three school years.", T, T, T, T),
    ("Have 95% of transferring students' records arrive within 10 days this semester.", T, T, T, T),
    # no deadline
    ("Increase the graduation rate for English learners from 44% to 54%.", T, T, T, F),
    ("Reduce chronic absence among ninth graders by a third.", T, T, T, F),
    ("Raise FAFSA completion among seniors to 70%.", T, T, T, F),
    ("Get 30 more teachers certified in special education across both sectors.", T, T, T, F),
    ("Cut record transfer delays between sectors in half.", T, T, T, F),
    ("Improve attendance of homeless students from 82% to 90%.", T, T, T, F),
    ("Increase applications through My School DC by 2,000.", T, T, T, F),
    ("Lower suspensions in our 6 partner middle schools by 20%.", T, T, T, F),
    # no measure
    ("Improve attendance for students who move between sectors by June 2027.", T, F, T, T),
    ("Increase the graduation rate of English learners by 2028.", T, F, T, T),
    ("Reduce chronic absence among middle schoolers this school year.", T, F, T, T),
    ("Raise reading scores in the pilot schools within two years.", T, F, T, T),
    ("Make it easier for families to apply to schools by fall 2026.", T, F, T, T),
    ("Improve special education services for students who change schools by the end of next year.", T, F, T, T),
    ("Increase enrollment of English learners in charter schools by 2027.", T, F, T, T),
    ("Reduce the achievement gap for students with disabilities by the end of the 2026-27 school year.", T, F, T, T),
    # neither measure nor deadline
    ("Improve attendance for students who move between sectors.", T, F, T, F),
    ("Increase the graduation rate for English learners.", T, F, T, F),
    ("Help more families find the right school.", T, F, F, F),
    ("Reduce chronic absenteeism in our schools.", T, F, T, F),
    ("Raise math achievement for middle school students.", T, F, T, F),
    ("Improve transitions for students moving to high school.", T, F, T, F),
    # activities rather than results
    ("Hold monthly meetings between district and charter principals by September 2026.", T, F, F, T),
    ("Create a joint committee of district and charter leaders this semester.", T, F, F, T),
    ("Develop a shared data agreement with 5 charter networks by June 2027.", T, T, F, T),
    ("Train 30 teachers from both sectors in co-teaching by spring 2027.", T, T, F, T),
    ("Host two family information nights about school options next year.", T, T, F, T),
    ("Meet with the charter board to discuss facilities.", T, F, F, F),
    ("Launch a cross-sector principal network.", T, F, F, F),
    ("Write a memorandum of understanding with the charter schools within six months.", T, F, F, T),
    ("Organize a joint professional development day for 120 teachers in August 2026.", T, T, F, T),
    ("Convene a task force on transportation for students by January 2027.", T, F, F, T),
    # vague
    ("Collaborate more.", F, F, F, F),
    ("Work together better.", F, F, F, F),
    ("Improve education.", F, F, T, F),
    ("Build better relationships.", F, F, F, F),
    ("Do great things for kids by next year.", F, F, F, T),
    ("Improve things by 10% by 2027.", F, T, T, T),
    ("Be better partners.", F, F, F, F),
    ("Make everything better within two years.", F, F, F, T),
    ("Improve overall quality.", F, F, T, F),
    ("Increase collaboration by 2027.", F, F, T, T),
]


@pytest.mark.parametrize("goal,specific,measurable,results,timed", GOALS)
def test_each_criterion(goal, specific, measurable, results, timed):
    check = check_goal(goal)
    got = (check.specific, check.measurable, check.results_oriented, check.time_bound)
    assert got == (specific, measurable, results, timed), f"{goal}\n{check}"
    assert check.achievable is None


def test_there_are_at_least_sixty_goals():
    assert len(GOALS) >= 60


def test_issues_say_concretely_what_is_missing():
    check = check_goal("Improve attendance for students who move between sectors.")
    assert ISSUE_MEASURABLE in check.issues and ISSUE_TIME in check.issues
    assert ISSUE_SPECIFIC not in check.issues and ISSUE_RESULTS not in check.issues
    assert check.issues[-1].startswith("achievable?")


def test_suggestion_rewrites_the_users_goal_with_blanks():
    check = check_goal("Improve attendance for students who move between sectors", today=date(2026, 11, 23))
    assert check.suggestion == ("Improve attendance for students who move between sectors from [baseline] to [target] "
                                "by [June 2027 or another date].")
    vague = check_goal("Collaborate more.", today=date(2026, 3, 1))
    assert vague.suggestion.startswith("For [which students, schools or families], collaborate more")
    assert "by [June 2026 or another date]" in vague.suggestion
    good = "Increase the graduation rate for English learners from 44% to 54% by June 2027."
    assert check_goal(good).suggestion == good and check_goal(good).passes
