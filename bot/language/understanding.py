"""The one step every message inside a stage passes before anything is stored: what is this message?

While a question is open, people also give commands ("skip", "delete goal 2"), ask for something
else ("actually let's do the self-assessment first", "what's next?"), chat ("lol"), write in
another language, or type something we cannot read as an answer. Only an answer may be stored.
Three signals decide: the words (the command grammar and request phrases below, anchored so an
answer that only mentions "back" or "plan" stays an answer), the shape the open question expects
(a rating, yes/no, a choice, a list, a sentence, a goal), and Rasa's intent, which only breaks the
tie for a short message that fits no button (on short answers it was wrong too often to lead).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.language.choices import SOMETHING_ELSE, match_option, read_yes_no
from bot.language.commands import change_request, is_back, is_skip
from bot.language.languages import other_language
from bot.language.ratings import parse_rating
from bot.language.smart import ACTIVITY_VERBS, OUTCOME_VERBS, draft_goal
from bot.language.text import clean_text, looks_like_pause

# What a message is
ANSWER, COMMAND, REQUEST, SMALL_TALK, OUT_OF_SCOPE, OTHER_LANGUAGE, UNCLEAR = (
    "answer", "command", "request", "small_talk", "out_of_scope", "other_language", "unclear")
# What the open question expects
RATING, YESNO, CHOICE, LIST, SENTENCE, GOAL = "rating", "yesno", "choice", "list", "sentence", "goal"
# Commands about the form
SKIP, BACK, CHANGE, DELETE, START_OVER, PAUSE, CONTINUE, FILL_BLANKS = (
    "skip", "back", "change", "delete", "start_over", "pause", "continue", "fill_blanks")
# Requests for something else
STAGE, DRAFT_GOAL, NEXT, HELP, HUMAN, PROGRESS, QUESTION, REPORT, REMINDER, FORGET_ME, WEB_LINK = (
    "stage", "draft_goal", "next", "help", "human", "progress", "question", "report", "reminder", "forget_me",
    "web_link")


@dataclass(frozen=True)
class Expected:
    """The open question's answer shape (and, for a choice, its options)."""

    shape: str
    options: tuple[str, ...] = ()
    offer: bool = False   # a proposed answer is on the table: "yes" takes it, "keep mine" refuses it
    synonyms: tuple[tuple[str, str], ...] = ()  # CHOICE: other words for an option


@dataclass(frozen=True)
class Reading:
    kind: str
    action: Optional[str] = None    # COMMAND or REQUEST: which one
    argument: Optional[str] = None  # its object: the worksheet asked for, what to delete, the language...
    answer: str = ""                # ANSWER: the text to store, side remarks removed


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", clean_text(text).lower().replace("’", "'").replace("‘", "'")).strip()


# --- asides: chat around an answer ---------------------------------------------------------------
_CHAT = (r"lol|lmao|haha+|hah|hehe+|heh|ok(?:ay)?|k|kk|cool|nice|great|awesome|perfect|thanks?|thank you|thx|ty|"
         r"hi|hello|hey|hiya|yo|hmm+|uh+|um+|er+m?|oh|ah|wow|yay|oops|sorry|np|no worries|sure thing|got it|"
         r"ok cool|oh ok|ok thanks|ha|good morning|good afternoon|morning|cheers|brb|btw|fyi|omg|ugh|sigh")
_CHAT_ONLY = re.compile(rf"^(?:(?:{_CHAT})[\s,.!?~:;()\-]*)+$|^[\W_\s]*$")
_CHAT_LEAD = re.compile(rf"^(?:(?:{_CHAT})(?=[\s,.!?~:;]|$)[\s,.!?~:;]*)+", re.IGNORECASE)
_EMOJI_ONLY = re.compile(r"^[\s\W\d_]*$")


def strip_asides(text: str) -> str:
    """The message without chat before it ("lol", "ok so") or a request clause after it; the text as
    typed (line breaks and all) when there is none."""
    core = _CHAT_LEAD.sub("", clean_text(text)).strip()
    core = re.sub(r"^so\b[\s,]*", "", core, flags=re.IGNORECASE) if core != clean_text(text) else core
    clauses = _clauses(core)
    while len(clauses) > 1 and (_is_aside_request(clauses[-1]) or _CHAT_ONLY.match(_normal(clauses[-1]))):
        clauses = clauses[:-1]
    kept = " ".join(clauses).strip() if clauses else core
    if kept == clean_text(text):
        return text.strip()
    return kept[0].upper() + kept[1:] if kept and core and core[0].isupper() else kept


def _is_aside_request(clause: str) -> bool:
    """A request tacked onto an answer ("can we get to the goal part now"); a question is part of the answer."""
    request = _request_in(clause)
    return request is not None and request.action not in (QUESTION, DRAFT_GOAL)


def _clauses(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?;])\s+|\s+[-–—]{1,2}\s+|,\s+(?=(?:can|could|and can|so can|btw|lol|also)\b)", text)
    return [p for p in (part.strip() for part in parts) if p]


# --- commands beyond skip / back / change ----------------------------------------------------------
_OPENER = (r"(?:(?:ok(?:ay)?|oops|wait|sorry|hmm+|no|oh|actually|um+|also|and|hey|pls|please)[,!. ]+)*"
           r"(?:please |pls |can we |could we |can you |could you |can u |let'?s |let me |i want to |i wanna |"
           r"i'?d like to |we want to |i need to |we need to |just )?")
_DELETE = re.compile(rf"^{_OPENER}(?:delete|remove|erase|clear|drop|scrap|undo|cancel|get rid of|take out|"
                     r"strike|cross out|wipe)\s+(?P<target>.+?)[\s.!?]*$|"
                     rf"^{_OPENER}take (?P<target2>that|it|this|those|them|that bit|that part) (?:out|off|away)"
                     r"(?: of (?:it|there|that))?[\s.!?]*$")
_ALL_MY_DATA = re.compile(r"\b(?:my|all my|our) (?:data|account|information|info|record|records|history|answers)\b|"
                          r"\beverything(?: i (?:said|wrote|typed))?\b|\ball of my\b")
_FILL_BLANKS = re.compile(rf"^{_OPENER}(?:fill (?:in |out )?(?:the |those |these |my )?(?:brackets|blanks|gaps)|"
                          r"fill (?:them|those|it) in)\b")
_START_OVER = re.compile(rf"^{_OPENER}(?:start (?:over|again|from (?:the )?(?:top|scratch|beginning))|"
                         r"restart|redo (?:it|this|everything|the whole thing)|begin again|from the top)\b")
_CANCEL = re.compile(rf"^{_OPENER}(?:cancel|stop|quit|exit|abort|never ?mind|nvm|forget it|forget about it|"
                     r"not now|enough)(?: (?:this|that|it|for now|please))*[\s.!?]*$")
_CONTINUE = re.compile(rf"^{_OPENER}(?:continue|carry on|go on|keep going|resume|where (?:was|were) (?:i|we)|"
                       r"where (?:am i|are we)|what was the question|(?:can you )?repeat(?: the| that)?(?: question)?|"
                       r"what(?:'?s| is) the question|say (?:that|it) again|come again|back to (?:it|the questions?))"
                       r"[\s.!?]*$")


def command_in(text: str) -> Optional[Reading]:
    """A command about the open form, from the grammar shared by every stage."""
    normal = _normal(text)
    if is_skip(normal):
        return Reading(COMMAND, SKIP)
    if is_back(normal):
        return Reading(COMMAND, BACK)
    if _CONTINUE.match(normal):
        return Reading(COMMAND, CONTINUE)
    if _FILL_BLANKS.match(normal):
        number = re.search(r"\bgoal\s*#?(\d{1,2})\b", normal)
        return Reading(COMMAND, FILL_BLANKS, number.group(1) if number else None)
    if _START_OVER.match(normal):
        return Reading(COMMAND, START_OVER)
    delete = _DELETE.match(normal)
    if delete and _ALL_MY_DATA.search(normal):
        return None  # "delete my data" is a request about the user's whole record (bot/conversation/privacy.py)
    if delete:
        target = (delete.group("target") or delete.group("target2") or "").strip()
        if len(target.split()) <= 6:
            return Reading(COMMAND, DELETE, re.sub(r"^(?:my|the|our) ", "", target))
    if _CANCEL.match(normal) or (looks_like_pause(normal) and len(normal.split()) <= 8):
        return Reading(COMMAND, PAUSE)
    if change_request(text) is not None:
        return Reading(COMMAND, CHANGE)
    return None


# --- requests for something else ------------------------------------------------------------------
_REQUEST_OPENER = (r"^(?:(?:ok(?:ay)?|actually|wait|hmm+|so|um+|hey|ok so|also|and|but|pls|please|lol|oh)[,!. ]+)*"
                   r"(?:actually |instead |first |maybe )?")
_WANTS = (r"(?:let'?s|let us|lets|can we|could we|can i|could i|can u|can you|could you|i want to|i wanna|i'?d like to|"
          r"we want to|we'?d like to|i'?d rather|we'?d rather|i need to|we need to|i'?d prefer to|time to|take me to|"
          r"go to|switch to|jump to|skip to|get to|move to|start|begin|open|do|show me|bring up|just|add|continue|"
          r"resume|go back to|back to|return to|finish)")
_STARTS = [
    ("self_assessment", re.compile(r"\bself[- ]?assess?ments?\b|\bassessment\b|\bstage b\b|\b17 (?:factors|questions)\b")),
    ("implementation", re.compile(r"\bcheck[- ]?in\b|\bimplement(?:ation|ing)?\b|\bstage d\b|\bprogress check\b")),
    ("sustainability", re.compile(r"\bsustain(?:ability|ing)?\b|\bscale[- ]up\b|\bstage e\b")),
    ("five_whys", re.compile(r"\b(?:5|five) whys?\b|\broot[- ]cause analysis\b")),
    ("logic_model", re.compile(r"\blogic model\b")),
    ("action_plan", re.compile(r"\baction plan(?:s|ning)?\b")),
    ("reflections", re.compile(r"\breflect(?:ion|ions|ing)?\b")),
    ("add_goal", re.compile(r"\b(?:smart )?goals?(?: part| bit| section)?\b")),
    ("purpose", re.compile(r"\b(?:unifying )?purpose\b|\bstage a\b")),
    ("planning", re.compile(r"\bplanning(?: stage)?\b|\bstage c\b")),
]
_START_REQUEST = re.compile(rf"{_REQUEST_OPENER}(?:{_WANTS})\b")
_JUST_THE = re.compile(rf"{_REQUEST_OPENER}(?:skip (?:this|that|these|it|ahead)[,.]? )?(?:just |only |straight to )"
                       r"(?:the |do the |do )?(?P<what>.+?)(?: pls| please| now| first)*[\s.!?]*$")
_DRAFT = re.compile(r"\b(?:write|draft|word|phrase|formulate|put|come up with|suggest|give me|make)\b.{0,30}"
                    r"\b(?:it|one|that|this|a goal|the goal|a smart goal|goal|for me|for us)\b"
                    r"|\bhelp (?:me |us )?(?:write|draft|with|word|make|set)\b.{0,20}\bgoal|\bhow (?:would|should|do) "
                    r"(?:u|you|i|we) (?:word|write|phrase|put) (?:it|this|that)")
_NEXT = re.compile(rf"{_REQUEST_OPENER}(?:so )?(?:what'?s next|what is next|what now|now what|what (?:do|should|can) "
                   r"(?:i|we) do (?:next|now)|what comes next|next steps?\?|what'?s the next step)\b")
_HELP = re.compile(rf"{_REQUEST_OPENER}(?:help|help me|help pls|help please|i'?m (?:lost|stuck|confused)|i am (?:lost|stuck|"
                   r"confused)|what can (?:you|i) do|how does this work|what are my options|options|menu|commands|"
                   r"what do i (?:say|type|do)|how do i use this)[\s.!?]*$")
_HUMAN = re.compile(r"\b(?:talk|speak|chat|get in touch|connect me) (?:to|with) (?:a |an |some |real |actual )*"
                    r"(?:human|person|people|someone|somebody|staff|facilitator|agent|real person)\b|"
                    r"\b(?:real|actual) (?:human|person)\b|^(?:human|agent|operator)[\s.!?]*$|\bwho can i (?:talk|speak) to\b")
_PROGRESS = re.compile(rf"{_REQUEST_OPENER}(?:show|see|view|check|give me|what'?s|what is|how'?s)\b.{{0,20}}"
                       r"\b(?:progress|overview|status|my answers|our answers|summary|results|where (?:i|we) (?:am|are|stand))"
                       r"|^how (?:am i|are we) doing\b|^how far (?:am i|are we|along)\b")
_REPORT = re.compile(rf"{_REQUEST_OPENER}(?:{_WANTS}|send|email|give|get|download|generate|create|export|make)\b.{{0,25}}"
                     r"\breport\b")
_REMINDER = re.compile(rf"{_REQUEST_OPENER}(?:remind (?:me|us)|set (?:a |up a )?reminder|can you remind)\b")
_WEB_LINK = re.compile(rf"{_REQUEST_OPENER}(?:{_WANTS}|send|give|get|move|carry on|keep going|pick (?:this |it )?up)\b"
                       r"(?: (?:this|it|that|me|us|the|a|my|our|conversation|chat|work|here|link|over|up|please|pls|"
                       r"later|get|send|give|open|continue|finish|have|do|go))* ?(?:(?:on|in|from|to) (?:the |a |my |your )?"
                       r"(?:web|browser|laptop|computer|desktop|pc|mac)\b|web ?link\b|link (?:for|to) (?:the )?"
                       r"(?:web|browser|website)\b)")
_QUESTION_START = re.compile(r"^(?:what|why|how|who|whom|which|where|when|explain|define|meaning of|tell me about|"
                             r"what'?s|whats|is there|are there|does|do you|do i|i don'?t (?:understand|get)|not sure what|"
                             r"can you explain|could you explain)\b")


def _stage_named(text: str) -> Optional[str]:
    return next((kind for kind, pattern in _STARTS if pattern.search(text)), None)


def requested_stage(text: str) -> Optional[str]:
    """The stage or worksheet a "let's do the 5 whys" / "actually, the self-assessment first" request names."""
    normal = _normal(text)
    if len(normal.split()) > 12:
        return None
    if _START_REQUEST.match(normal):
        return _stage_named(normal)
    just = _JUST_THE.match(normal)
    if just and len(just.group("what").split()) <= 4:
        return _stage_named(just.group("what"))
    return None


def _request_in(text: str, shape: str = SENTENCE) -> Optional[Reading]:
    normal = _normal(text)
    if not normal:
        return None
    if _HUMAN.search(normal):
        return Reading(REQUEST, HUMAN)
    if _HELP.match(normal):
        return Reading(REQUEST, HELP)
    if _NEXT.match(normal):
        return Reading(REQUEST, NEXT)
    if shape == GOAL and _DRAFT.search(normal) or re.search(r"\bhelp (?:me |us )?(?:write|draft|with|set)\b.{0,12}"
                                                             r"\b(?:smart )?goals?\b", normal):
        return Reading(REQUEST, DRAFT_GOAL, clean_text(text))
    stage = requested_stage(normal)
    if stage is not None:
        return Reading(REQUEST, STAGE, stage)
    if _DELETE.match(normal) and _ALL_MY_DATA.search(normal):
        return Reading(REQUEST, FORGET_ME)
    if _REPORT.match(normal):
        return Reading(REQUEST, REPORT)
    if _REMINDER.match(normal):
        return Reading(REQUEST, REMINDER)
    if len(normal.split()) <= 12 and _WEB_LINK.match(normal) and not _QUESTION_START.match(normal):
        return Reading(REQUEST, WEB_LINK)
    if len(normal.split()) <= 10 and _PROGRESS.match(normal):
        return Reading(REQUEST, PROGRESS)
    first = _normal(_clauses(clean_text(text))[0]) if clean_text(text) else normal
    if len(normal.split()) <= 20 and (first.endswith("?") or _QUESTION_START.match(first)):
        return Reading(REQUEST, QUESTION, clean_text(text))  # a statement followed by a question is an answer
    return None


# --- the decision ---------------------------------------------------------------------------------
# A goal written as a sentence starts with its verb, a deadline or its subject; a list of facts starts with them.
_FACTS_ONLY = re.compile(rf"^(?!(?:{'|'.join(sorted(OUTCOME_VERBS | ACTIVITY_VERBS))}|by|to|in|within|before|all|our|we|"
                         r"every|each|the|at least|students|families)\b)(?=.*,)")
# Keyboard mashing ("asdfghjkl") and a bare yes/no/don't-know where a sentence is asked for.
_GIBBERISH = re.compile(r"^(?=[a-z]{5,}$)(?:[^aeiouy\s]*[bcdfghjklmnpqrstvwxz]{5}[a-z]*|(?:asdf|qwer|zxcv|hjkl|jkl;)[a-z]*)$")
_NOT_AN_ANSWER = re.compile(r"^(?:y|yes|yeah|yep|n|no|nope|nah|ok|okay|idk|i dunno|dunno|no idea|not sure|unsure|"
                            r"i don'?t know|don'?t know|\?+|-+|\.+|n/?a|tbd|tba|\?\?)[\s.!?]*$")
_TASK = re.compile(r"^(?:(?:hey|ok|pls|please)[, ]+)*(?:can|could|would|will) (?:you|u) (?:please |pls )?(?:book|reserve|email|"
                   r"call|phone|text|schedule|order|buy|print|pay|invite|post|tweet|translate|fax|mail|drive|pick up)\b")
_OUT_OF_SCOPE = re.compile(r"\b(?:weather|sports?|football|basketball|recipe|joke|movie|song|stock price|bitcoin|"
                           r"lottery|horoscope|dating|who won)\b")
_INTENT_REQUESTS = {"help": HELP, "show_progress": PROGRESS, "resume": CONTINUE}


def understand(text: str, expected: Expected, intent: Optional[str] = None) -> Reading:
    """What a message typed while a question is open is; only an ANSWER may be stored."""
    cleaned = clean_text(text)
    normal = _normal(text)
    if not normal:
        return Reading(UNCLEAR, argument="empty")
    language = other_language(cleaned)
    if language is not None:
        return Reading(OTHER_LANGUAGE, argument=language)
    if expected.shape == RATING and parse_rating(cleaned).ok and command_in(cleaned) is None and (
            len(normal.split()) <= 3 or _request_in(cleaned, RATING) in (None, Reading(REQUEST, QUESTION, cleaned))):
        return Reading(ANSWER, answer=cleaned)
    if expected.shape == YESNO and _CHAT_ONLY.match(normal) and read_yes_no(cleaned) is not None:
        return Reading(ANSWER, answer=cleaned)  # "ok", "sure": a yes here, not small talk
    if _CHAT_ONLY.match(normal) and not (_EMOJI_ONLY.match(normal) and (expected.shape == RATING or expected.offer)):
        return Reading(SMALL_TALK)
    if _GIBBERISH.match(normal) or (expected.shape in (SENTENCE, GOAL, LIST) and not expected.offer
                                    and _NOT_AN_ANSWER.match(normal)):
        return Reading(UNCLEAR, argument="not_an_answer")
    core = strip_asides(text) or cleaned
    command = command_in(core) or _last_clause_command(core)
    if command is not None:
        return command
    request = _request_in(core, expected.shape)
    if request is not None:
        return request
    if (_OUT_OF_SCOPE.search(normal) and expected.shape in (RATING, YESNO, CHOICE)) or _TASK.match(normal):
        return Reading(OUT_OF_SCOPE)
    reading = _by_shape(core, expected)
    if reading.kind == UNCLEAR and intent in _INTENT_REQUESTS and len(normal.split()) <= 4:
        # the classifier breaks the tie for a short message that fits no button ("progress pls")
        action = _INTENT_REQUESTS[intent]
        return Reading(COMMAND if action == CONTINUE else REQUEST, action)
    return reading


# What a delete closing a longer message can point at: what was just said, a list, a numbered answer.
_POINTS_BACK = re.compile(r"^(?:it|that|this|those|them|that bit|that part|that one|the last one|last one|"
                          r"(?:the |my )?last (?:item|answer|one)|(?:this|the) list|everything|all of it|"
                          r"(?:goal|why|step|item) \d{1,2})$")
_TRAILING_SKIP = re.compile(r"^.{0,40}?[,;.!-]\s*(?:just |so |let'?s |pls |please )?(?:skip|pass|skip (?:it|this|this one)|"
                            r"come back to (?:it|this) later)[\s.!]*$")


def _last_clause_command(text: str) -> Optional[Reading]:
    """"lol it put my 'can we get...' in there. take that out": a command closing a short message."""
    if _TRAILING_SKIP.match(_normal(text)):
        return Reading(COMMAND, SKIP)  # "not sure yet, skip"
    clauses = _clauses(text)
    if len(clauses) < 2 or len(_normal(text).split()) > 30:
        return None
    last = command_in(clauses[-1])
    if last is not None and last.action == DELETE and not _POINTS_BACK.match(last.argument or ""):
        return None  # "Robert'); DROP TABLE participants;--" names nothing of ours
    return last if last is not None and last.action in (DELETE, BACK, SKIP, START_OVER) else None


def _by_shape(core: str, expected: Expected) -> Reading:
    if expected.shape == RATING:
        return Reading(ANSWER, answer=core) if parse_rating(core).ok else Reading(UNCLEAR, argument="rating")
    if expected.shape == YESNO:
        return Reading(ANSWER, answer=core) if read_yes_no(core) is not None else Reading(UNCLEAR, argument="yesno")
    if expected.shape == GOAL and _FACTS_ONLY.match(_normal(core)) and draft_goal(core) is not None:
        return Reading(REQUEST, DRAFT_GOAL, core)  # "grades 3-8 ELLs, +10 pts, by spring 2027": facts to draft from
    if expected.shape == CHOICE:
        if match_option(core, expected.options, dict(expected.synonyms)) is not None or SOMETHING_ELSE.match(
                _normal(core)):
            return Reading(ANSWER, answer=core)
        return Reading(UNCLEAR, argument="choice")
    return Reading(ANSWER, answer=core)
