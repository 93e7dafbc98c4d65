"""Partners working together: teams with join codes, members' profiles, shared work and the comparison.

"Create a team called Boston Compact" gives a six-character code; "join team K7P2QX" joins.
While a participant works on a team, the shared worksheets (repository.SHARED_KINDS) are the
team's; the self-assessment stays each member's own and meets the others' only in the
comparison. A facilitator (the creator, or whoever they name) sees who has finished what,
reminds the others, renews the code and sets the team's privacy choices. Every command acts on
teams the sender belongs to: naming another team's code or a person's id reveals nothing.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Optional

from rapidfuzz import fuzz

from bot.assessment.self_assessment import Turn
from bot.storage.models import Participant, Team, TeamMember, utcnow
from bot.language.replies import Button, Reply
from bot.storage.repository import SHARED_KINDS, Repository
from bot.teams.comparison import MemberRatings, TeamComparison, compare, render
from bot.worksheets.team_profile import KIND as PROFILE, TeamProfile, profile_key
from bot.language.text import clean_text

if TYPE_CHECKING:
    from bot.conversation.guide import Guide

# No I, L, O, 0 or 1: codes are read aloud in meetings and copied from slides.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_VALID_FOR = timedelta(days=14)
MAX_TEAM_NAME = 120
MAX_MIN_GROUP = 10
REMINDER_DELAY = timedelta(seconds=5)

COMPARE = Button("Compare our ratings", "compare our ratings")
STATUS = Button("Team progress", "team progress")
MY_TEAMS = Button("My teams", "which teams am I in?")


@dataclass(frozen=True)
class TeamRequest:
    action: str                       # see _REQUESTS
    argument: Optional[str] = None    # a name, a code, a number or "on"/"off"


_REQUESTS: list[tuple[str, re.Pattern]] = [
    ("create", re.compile(r"^(?:please\s+)?(?:(?:let'?s|can we|could we|i want to|i'?d like to)\s+)?"
                          r"(?:create|make|start|set up|setup|form|open|new)\s+(?:a\s+|an\s+|our\s+|the\s+|my\s+)?"
                          r"(?:new\s+)?team\b(?:\s+(?:called|named))?\s*[:\-]?\s*(?P<arg>.*)$")),
    ("new_code", re.compile(r"\b(?:new|fresh|renew|another|reset)\b.*\bcode\b")),
    ("join", re.compile(r"^(?:please\s+)?(?:(?:let\s+me|i\s+want\s+to|i'?d\s+like\s+to|can\s+i)\s+)?join\b(?P<arg>.*)$|"
                        r"^(?:i have|i got|here'?s|here is|my)\s+(?:a\s+|the\s+|our\s+)?(?:team\s+)?code\b(?P<arg2>.*)$")),
    ("leave", re.compile(r"^(?:please\s+)?(?:i\s+want\s+to\s+)?leave\s+(?:the\s+|our\s+|my\s+)?team\b(?P<arg>.*)$")),
    ("personal", re.compile(r"\b(?:work|working|switch|go back|back)\b.*\b(?:on my own|alone|by myself|solo|"
                            r"individually|my own (?:work|worksheets))\b|\bleave team mode\b")),
    ("by_organisation", re.compile(r"\b(?P<arg>show|hide|stop showing|don'?t show|do not show)\b.*"
                                   r"\bby (?:organi[sz]ation|org|partner)s?\b")),
    ("min_group", re.compile(r"\b(?:compare|show (?:results|ratings)?|minimum(?: group)?(?: size)?|min(?:imum)? "
                             r"group)\b\D{0,20}?\b(?P<arg>\d{1,3})\b\s*(?:members?|people|answers|partners)?")),
    ("facilitator", re.compile(r"^(?:please\s+)?(?:make|name|add|appoint)\s+(?P<arg>.+?)\s+(?:as\s+)?(?:a\s+|the\s+|"
                               r"our\s+)?(?:co-?)?facilitator\b|^(?:add|name)\s+(?:a\s+)?(?:co-?)?facilitator:?\s+"
                               r"(?P<arg2>.+)$")),
    ("remind", re.compile(r"^(?:please\s+)?(?:can you\s+|could you\s+)?remind\s+(?:the\s+|our\s+|all\s+)?(?:team|them|"
                          r"others|other members|members|everyone|everybody|those|partners|the rest)\b")),
    ("status", re.compile(r"\bwho(?:'s| has| have| hasn'?t| haven'?t| is)?\b.*\b(?:finished|done|completed|"
                          r"behind|left)\b|\bteam (?:progress|status|overview)\b|\bfacilitator(?:'s)? view\b|"
                          r"\bprogress of (?:the|our) team\b")),
    ("summary", re.compile(r"\bcompare\b.*\b(?:ratings?|answers|scores|assessments?|self-assessments?)\b|"
                           r"\bteam (?:summary|results|comparison|ratings|scores)\b|\bside[- ]by[- ]side\b|"
                           r"\bwhere do we (?:disagree|differ)\b|\bhow did (?:the )?(?:other )?(?:partners|members|"
                           r"others) (?:rate|answer)\b")),
    ("list", re.compile(r"\b(?:which|what) teams?\b|\bmy teams\b|\blist (?:my |our |the )?teams\b|"
                        r"\bteams? am i (?:in|on)\b")),
    ("profile", re.compile(r"\b(?:my )?team profile\b|\b(?:edit|update|change) my (?:team )?profile\b")),
    ("switch", re.compile(r"^(?:please\s+)?(?:(?:let'?s|i want to)\s+)?(?:work on|switch to|use|go to|change to|"
                          r"move to|open)\s+(?:the\s+|our\s+)?team\b\s*(?P<arg>.*)$")),
]
_TEAM_ARG = re.compile(r"\b(?:for|of|in)\s+(?:the\s+)?team\s+(?P<arg>.+)$")
_FILLER = {"team", "the", "a", "our", "code", "with", "using", "by", "to", "please", "group", "it", "is", "number"}


def parse_request(text: str) -> Optional[TeamRequest]:
    """What a team message asks for, or None when the words are not a team request."""
    cleaned = clean_text(text)
    normal = cleaned.lower().strip(" .!?")
    for action, pattern in _REQUESTS:
        match = pattern.search(normal)
        if match is None:
            continue
        groups = {k: v for k, v in match.groupdict().items() if v}
        arg = groups.get("arg") or groups.get("arg2")
        if arg is not None and action in ("create", "join", "leave", "switch", "facilitator"):
            start = match.start("arg" if "arg" in groups else "arg2")
            arg = cleaned.strip(" .!?")[start:start + len(arg)]   # keep the user's capitals
        if action in ("summary", "status") and arg is None:
            named = _TEAM_ARG.search(cleaned.strip(" .!?"))
            arg = named.group("arg") if named else None
        if action == "by_organisation":
            arg = "on" if arg == "show" else "off"
        return TeamRequest(action, arg.strip(" \"'“”:") if isinstance(arg, str) else arg)
    return None


def new_code() -> str:
    """Six characters with at least one digit, so a code never reads like a word (or a team's name)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code):
            return code


def read_code(raw: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """(code, None) for a well-formed code, else (None, what is wrong with it)."""
    words = [w.strip(".,!?\"'“”()#:") for w in (raw or "").split()]
    words = [w for w in words if w and w.lower() not in _FILLER]
    if not words:
        return None, "Which code? Say it like this: \"join team K7P2QX\" (the code is 6 letters and digits)."
    single = [w for w in words if len(w) == CODE_LENGTH and any(ch.isdigit() for ch in w)]
    candidate = (single[0] if single else "".join(words)).upper().replace("-", "")
    if not any(ch.isdigit() for ch in candidate) and len(words) > 1:
        return None, ("To join I need the team's code, not its name: 6 letters and digits like K7P2QX. Whoever "
                      "created the team can see it by saying \"which teams am I in?\".")
    if len(candidate) != CODE_LENGTH:
        return None, (f"Team codes have {CODE_LENGTH} letters and digits; \"{candidate[:40]}\" has {len(candidate)}. "
                      "Please check the code you were given.")
    confusable = sorted(set(candidate) & set("IL O01".replace(" ", "")))
    if confusable:
        return None, (f"Team codes never contain {', '.join(confusable)} (we leave out I, L, O, 0 and 1 to avoid "
                      f"mix-ups), so \"{candidate}\" has a typo. Please check the code you were given.")
    if set(candidate) - set(ALPHABET):
        return None, "Team codes are made of letters and digits only. Please check the code you were given."
    return candidate, None


def member_profile(repo: Repository, team: Team, participant: Participant) -> dict:
    item = repo.work_item(participant, PROFILE, profile_key(team.id))
    return TeamProfile().export(dict(item.data) if item is not None else {})


def display_names(repo: Repository, team: Team) -> dict[int, str]:
    """participant id -> "Ana (Boston Public Schools)", for crediting contributions."""
    names = {}
    for number, (_, participant) in enumerate(repo.members(team), start=1):
        profile = member_profile(repo, team, participant)
        name = profile["name"] or f"member {number}"
        names[participant.id] = f"{name} ({profile['organisation']})" if profile["organisation"] else name
    return names


def _date(moment: datetime) -> str:
    return f"{moment.day} {moment.strftime('%B %Y')}"


class Teams:
    def __init__(self, guide: "Guide") -> None:
        self.guide = guide
        self.db = guide.db

    # --- reading ------------------------------------------------------------------------------
    def active_team(self, repo: Repository, p: Participant, named: Optional[str] = None
                ) -> tuple[Optional[Team], Optional[TeamMember], Optional[Reply]]:
        """The team a command is about: the named one or the one worked on; only the sender's own teams."""
        mine = repo.teams_of(p)
        if named:
            found = self._find(mine, named)
            if found is None:
                return None, None, Reply(f"You're not in a team called or coded \"{named[:60]}\", so I can't show "
                                         "anything about it. " + self._teams_line(repo, p), (MY_TEAMS,))
            return found[0], found[1], None
        if p.team_id is not None:
            for team, member in mine:
                if team.id == p.team_id:
                    return team, member, None
        if len(mine) == 1:
            return mine[0][0], mine[0][1], None
        if not mine:
            return None, None, Reply("You're not in a team yet. Say \"create a team called ...\" to start one, or "
                                     "\"join team\" with the code a partner gave you.")
        return None, None, Reply("Which team? " + self._teams_line(repo, p) + " Say \"work on team ...\" first.",
                                 (MY_TEAMS,))

    @staticmethod
    def _find(mine: list[tuple[Team, TeamMember]], named: str) -> Optional[tuple[Team, TeamMember]]:
        code, _ = read_code(named)
        for team, member in mine:
            if code is not None and team.code == code:
                return team, member
        scored = [(fuzz.ratio(named.lower(), team.name.lower()), team, member) for team, member in mine]
        best = max(scored, default=None, key=lambda s: s[0])
        return (best[1], best[2]) if best is not None and best[0] >= 85 else None

    def _teams_line(self, repo: Repository, p: Participant) -> str:
        mine = repo.teams_of(p)
        if not mine:
            return "You're not in any team yet."
        parts = [f"{team.name} ({team.code}{', facilitator' if member.facilitator else ''}"
                 f"{', working on it now' if p.team_id == team.id else ''})" for team, member in mine]
        return "Your teams: " + "; ".join(parts) + "."

    # --- joining -----------------------------------------------------------------------------
    def create(self, sender: str, name: Optional[str], now: Optional[datetime] = None) -> tuple[Turn, Optional[str]]:
        name = clean_text(name or "").strip(" .\"'“”")
        if not name:
            return Turn((Reply("What should the team be called? Say e.g. \"create a team called Boston Compact\"."),),
                        False), None
        if len(name) > MAX_TEAM_NAME:
            return Turn((Reply(f"That name is {len(name)} characters long; please keep it under {MAX_TEAM_NAME}."),),
                        False), None
        now = now or utcnow()
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            code = new_code()
            while repo.team_by_code(code) is not None:
                code = new_code()
            team = repo.add_team(name, code, now + CODE_VALID_FOR)
            repo.add_member(team, p, facilitator=True)
            self._work_on(repo, p, team)
            expires = team.code_expires_at
        lead = Reply(f"Team \"{name}\" is set up, and you are its facilitator. Its join code is {code}, valid until "
                     f"{_date(expires)}: partners join by saying \"join team {code}\". Every member answers the "
                     "self-assessment alone; the purpose, goals, plans and checklists are shared.")
        return self._profile(sender, lead)

    def join(self, sender: str, raw_code: Optional[str], now: Optional[datetime] = None) -> tuple[Turn, Optional[str]]:
        code, problem = read_code(raw_code)
        if code is None:
            return Turn((Reply(problem or ""),), False), None
        now = now or utcnow()
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            team = repo.team_by_code(code)
            if team is None:
                return Turn((Reply(f"No team has the code {code}. Check it letter by letter with the person who gave "
                                   "it to you; a facilitator can say \"which teams am I in?\" to see it."),), False), None
            if repo.membership(team, p) is not None:
                self._work_on(repo, p, team)
                return Turn((Reply(f"You're already in {team.name}; you're working on it now.", (COMPARE, STATUS)),),
                            False), None
            if team.code_expires_at < now:
                return Turn((Reply(f"The code {code} has expired (codes last {CODE_VALID_FOR.days} days). Ask the "
                                   "team's facilitator for a fresh one: they say \"new join code\"."),), False), None
            repo.add_member(team, p)
            self._work_on(repo, p, team)
            name, count = team.name, len(repo.members(team))
        lead = Reply(f"Welcome to {name}: you are member number {count}. Your self-assessment stays yours; the "
                     "purpose, goals, plans and checklists are shared with the team.")
        return self._profile(sender, lead)

    def _profile(self, sender: str, lead: Reply) -> tuple[Turn, Optional[str]]:
        turn, form = self.guide.start_worksheet(sender, PROFILE)
        return Turn((lead,) + turn.replies, turn.pending), form

    @staticmethod
    def _work_on(repo: Repository, p: Participant, team: Optional[Team]) -> None:
        """Switches the shared worksheets to `team` (None: the participant's own); an open shared
        question belongs to the other owner, so it is closed (its answers are saved)."""
        if p.team_id == (team.id if team else None):
            return
        p.team_id = team.id if team else None
        kind = (p.awaiting or "").split(":")[0]
        if kind in SHARED_KINDS:
            repo.set_position(p, p.stage, None)

    def switch(self, sender: str, named: Optional[str]) -> Reply:
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            found = self._find(repo.teams_of(p), named or "") if named else None
            if found is None:
                code, _ = read_code(named)
                hint = f" To join it, say \"join team {code}\"." if code else ""
                return Reply(f"You're not in a team called or coded \"{(named or '')[:60]}\".{hint} "
                             + self._teams_line(repo, p), (MY_TEAMS,))
            self._work_on(repo, p, found[0])
            return Reply(f"Now working on {found[0].name}: the purpose, goals, plans and checklists you open are the "
                         "team's, and your answers there are credited to you.", (COMPARE, STATUS))

    def personal(self, sender: str) -> Reply:
        with self.db.transaction() as repo:
            self._work_on(repo, repo.participant(sender), None)
        return Reply("Now working on your own worksheets. Your teams' work is unchanged; say \"work on team ...\" "
                     "to go back.")

    def list(self, sender: str) -> Reply:
        with self.db.transaction() as repo:
            line = self._teams_line(repo, repo.participant(sender))
        return Reply(line + " Say \"create a team called ...\", \"join team CODE\" or \"work on team ...\".")

    def leave(self, sender: str, named: Optional[str]) -> Reply:
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            team, member, problem = self.active_team(repo, p, named)
            if problem is not None:
                return problem
            others = [(m, q) for m, q in repo.members(team) if q.id != p.id]
            if not others:
                return Reply(f"You're the only member of {team.name}, so leaving would leave its work with no one. "
                             "Invite a partner first, or say \"delete my data\" to remove everything of yours.")
            if member.facilitator and not any(m.facilitator for m, _ in others):
                others[0][0].facilitator = True   # a team always keeps a facilitator
            repo.remove_member(member)
            if p.team_id == team.id:
                self._work_on(repo, p, None)
            return Reply(f"You've left {team.name}. What you wrote in its shared worksheets stays with the team; your "
                         "own self-assessment and profile are no longer part of its comparison.")

    # --- seeing together ---------------------------------------------------------------------
    def comparison(self, repo: Repository, team: Team) -> TeamComparison:
        members = []
        for _, participant in repo.members(team):
            profile = member_profile(repo, team, participant)
            ratings = {fid: row.rating for fid, row in repo.answers(participant).items()}
            members.append(MemberRatings(profile["name"] or "a member", profile["organisation"] or "organisation not given",
                                         profile["sector"], ratings))
        return compare(self.guide.kb, team.name, members, team.min_group, team.by_organisation)

    def summary(self, sender: str, named: Optional[str] = None) -> list[Reply]:
        with self.db.transaction() as repo:
            team, _, problem = self.active_team(repo, repo.participant(sender), named)
            if problem is not None:
                return [problem]
            return render(self.comparison(repo, team))

    def status(self, sender: str, named: Optional[str] = None) -> list[Reply]:
        """The facilitator's view: who has finished which stage, and the team's shared work."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            team, member, problem = self.active_team(repo, p, named)
            if problem is not None:
                return [problem]
            if not member.facilitator:
                return [Reply(f"Only a facilitator of {team.name} sees who has finished what. You can see the shared "
                              "work (\"show my progress\") and the comparison (\"compare our ratings\").", (COMPARE,))]
            names = display_names(repo, team)
            total = len(self.guide.kb.factors)
            lines = [f"{team.name}: {len(names)} member{'s' if len(names) != 1 else ''} (code {team.code}, valid until "
                     f"{_date(team.code_expires_at)})."]
            behind = 0
            for m, q in repo.members(team):
                answered, finished = self.guide.assessment.completion(repo, q)
                behind += not finished
                state = "done" if finished else f"{answered} of {total} answered" if answered else "not started"
                profile = "profile done" if self.guide.workbook.is_complete(repo, q, PROFILE, profile_key(team.id)) \
                    else "profile not finished"
                lines.append(f"- {names[q.id]}{' [facilitator]' if m.facilitator else ''}: self-assessment {state}; "
                             f"{profile}")
            working = p.team_id == team.id
            if working:
                states = self.guide.journey.states(repo, p)
                lines.append("Shared work: " + "; ".join(f"{s.letter}. {s.state}" for s in states if s.letter != "B") + ".")
        buttons = (Button("Remind the others", "remind those who have not finished"), COMPARE) if behind else (COMPARE,)
        return [Reply("\n".join(lines), buttons)]

    def remind(self, sender: str, now: datetime) -> tuple[Reply, list[tuple[str, str, datetime]]]:
        """Reminders for members who have not finished the self-assessment; returns (reply, [(sender, name, due)])."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            team, member, problem = self.active_team(repo, p)
            if problem is not None:
                return problem, []
            if not member.facilitator:
                return Reply(f"Only a facilitator of {team.name} can send reminders to the team."), []
            names = display_names(repo, team)
            scheduled, waiting = [], []
            for _, q in repo.members(team):
                if q.id == p.id or self.guide.assessment.completion(repo, q)[1]:
                    continue
                if any(r.requested_by is not None for r in repo.reminders(q)):
                    waiting.append(names[q.id])
                    continue
                reminder = repo.add_reminder(q, now + REMINDER_DELAY, f"finish your self-assessment for {team.name}: "
                                                                      f"{names[p.id]} is preparing the partner meeting",
                                             requested_by=p)
                scheduled.append((q.sender_id, reminder.name, reminder.due_at, names[q.id]))
        if not scheduled and not waiting:
            return Reply("Everyone else has finished the self-assessment: nobody to remind.", (COMPARE,)), []
        parts = []
        if scheduled:
            parts.append("I'll remind " + ", ".join(s[3] for s in scheduled) + " to finish the self-assessment; "
                         "they'll see it in their chat in a moment.")
        if waiting:
            parts.append("Already reminded and not yet seen: " + ", ".join(waiting) + ".")
        return Reply(" ".join(parts)), [(s[0], s[1], s[2]) for s in scheduled]

    # --- the facilitator's choices ------------------------------------------------------------
    def _facilitated(self, repo: Repository, sender: str) -> tuple[Optional[Team], Optional[Reply]]:
        team, member, problem = self.active_team(repo, repo.participant(sender))
        if problem is not None:
            return None, problem
        if not member.facilitator:
            return None, Reply(f"Only a facilitator of {team.name} can change that. Ask the person who created it.")
        return team, None

    def set_min_group(self, sender: str, number: int) -> Reply:
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            if not 1 <= number <= MAX_MIN_GROUP:
                return Reply(f"Pick a number from 1 to {MAX_MIN_GROUP}: how many members must have answered before "
                             "ratings are compared.")
            team.min_group = number
            name = team.name
        warning = (" With fewer than three, partners may be able to tell who gave which rating: agree on this together."
                   if number < 3 else "")
        return Reply(f"{name} now compares ratings once {number} member{'s' if number != 1 else ''} "
                     f"{'have' if number != 1 else 'has'} answered.{warning}", (COMPARE,))

    def set_by_organisation(self, sender: str, on: bool) -> Reply:
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            team.by_organisation = on
            name = team.name
        if on:
            return Reply(f"{name}'s comparison now shows each rating next to the organisation that gave it. Make sure "
                         "every partner agreed; say \"hide ratings by organisation\" to go back to totals.", (COMPARE,))
        return Reply(f"{name}'s comparison shows totals only again.", (COMPARE,))

    def add_facilitator(self, sender: str, name: Optional[str]) -> Reply:
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            names = display_names(repo, team)
            wanted = (name or "").lower()
            scored = sorted(((max(fuzz.ratio(wanted, names[q.id].split(" (")[0].lower()),
                                  fuzz.ratio(wanted, names[q.id].lower())), m, names[q.id])
                             for m, q in repo.members(team)), key=lambda s: -s[0])
            if not scored or scored[0][0] < 80 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
                listed = ", ".join(n for n in names.values())
                return Reply(f"Which member? The members of {team.name} are: {listed}. Say \"make <name> a facilitator\".")
            _, member, shown = scored[0]
            member.facilitator = True
        return Reply(f"{shown} is now a facilitator of {team.name}: they can see who has finished what, send "
                     "reminders and change the team's settings.")

    def renew_code(self, sender: str, now: Optional[datetime] = None) -> Reply:
        now = now or utcnow()
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            code = new_code()
            while repo.team_by_code(code) is not None:
                code = new_code()
            team.code, team.code_expires_at = code, now + CODE_VALID_FOR
            name, expires = team.name, team.code_expires_at
        return Reply(f"{name}'s new join code is {code}, valid until {_date(expires)}. The old code no longer works; "
                     "members who already joined stay in.")

    def profile(self, sender: str) -> tuple[Turn, Optional[str]]:
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            team, _, problem = self.active_team(repo, p)
            if problem is None:
                self._work_on(repo, p, team)
        if problem is not None:
            return Turn((problem,), False), None
        return self.guide.start_worksheet(sender, PROFILE)
