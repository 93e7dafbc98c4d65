"""What a team message asks for ("create a team called ...", "join team K7P2QX", "compare our ratings")."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.language.text import clean_text

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
