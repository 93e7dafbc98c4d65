"""Users driven over REST, shared by `make bench-load`, `make soak` and the failover test: posting a message
(signed, with a message id that stays the same when it is sent again), turn times and their percentiles,
a process's memory, and the ratings a run stored.

`AssessmentUser` walks the self-assessment as a careful client does: every message gets its own
"message_id"; a failed request (no answer, an error status, or a reply that asks nothing where a
question should come) is sent again with the same id. A reply that asks another question than the
one right after the one answered (a later one: an answer applied twice) is noted in `out_of_order`.
"""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

RATINGS = 17   # factors in the self-assessment: the most ratings one user can store
# The words users answer with, and the rating each is stored as.
WORDS = {"agree": "agree", "disagree": "disagree", "strongly agree": "strongly_agree",
         "strongly disagree": "strongly_disagree"}
_QUESTION = re.compile(r"(?:^|\n)Question (\d+)\b")
_NEXT_STEPS = ("What next steps would strengthen", "Next steps for")


def rss_mb(pid: Optional[int]) -> float:
    """The resident memory of a process in MB (NaN when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (OSError, TypeError):
        return float("nan")
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def percentile(seconds: list[float], share: float) -> float:
    """The `share` percentile of turn times, in ms (NaN for none)."""
    if not seconds:
        return float("nan")
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def post(url: str, sender: str, text: str, token: Optional[Callable[[str], str]] = None,
         message_id: Optional[str] = None, timeout: float = 120) -> list[dict]:
    """One message to a REST channel; the replies. Raises OSError (HTTPError included) when it fails."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token(sender)}"
    body = {"sender": sender, "message": text, **({"message_id": message_id} if message_id else {})}
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", headers=headers, data=json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.load(answer)


@dataclass
class Level:
    """The turns of one run (or one time window) and what went wrong."""
    users: int
    seconds: float = 0.0
    turns: list[float] = field(default_factory=list)
    errors: int = 0
    stored: Optional[int] = None
    sent: Optional[int] = None
    memory_mb: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.turns) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        return percentile(self.turns, share)


def stored_ratings(database_url: str, prefix: str) -> int:
    """Ratings stored for the users whose sender id starts with `prefix` (every round)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(database_url, future=True)
    with engine.connect() as connection:
        count = connection.execute(text(
            "SELECT count(*) FROM assessment_answers a JOIN participants p ON p.id = a.participant_id "
            "WHERE p.sender_id LIKE :prefix AND a.rating IS NOT NULL"), {"prefix": f"{prefix}%"}).scalar()
    engine.dispose()
    return int(count or 0)


def open_step(replies: list[dict]) -> Optional[tuple[str, int]]:
    """What the replies ask: ("question", N), ("next steps", 0), or None (nothing: the assessment is done)."""
    text = "\n".join(m.get("text") or "" for m in replies)
    numbers = _QUESTION.findall(text)
    if numbers:
        return ("question", int(numbers[-1]))
    if any(piece in text for piece in _NEXT_STEPS):
        return ("next steps", 0)
    return None


@dataclass
class Turn:
    text: str
    message_id: str
    answered: Optional[tuple[str, int]]     # the step this message answered
    asked: Optional[tuple[str, int]]        # the step the (final) reply asks
    seconds: float                          # the attempt that succeeded
    at: float                               # when it succeeded (time.monotonic())
    failures: list[str] = field(default_factory=list)


class AssessmentUser:
    """One person over REST: starts the self-assessment, rates every statement and skips the next steps."""

    def __init__(self, url: str, sender: str, token: Callable[[str], str], attempts: int = 4,
                 pause: float = 1.0, timeout: float = 120) -> None:
        self.url, self.sender, self.token = url, sender, token
        self.attempts, self.pause, self.timeout = attempts, pause, timeout
        self.turns: list[Turn] = []
        self.sent_ratings: dict[int, str] = {}    # question number -> the rating it was answered with
        self.out_of_order: list[str] = []          # replies that did not ask the step after the one answered
        self.step: Optional[tuple[str, int]] = None
        self.last_question = 0

    def say(self, text: str, expect: Callable[[Optional[tuple[str, int]]], bool]) -> Turn:
        """Sends `text` until a reply passes `expect`, always under the same message id."""
        message_id = f"{self.sender}.{len(self.turns) + 1}"
        failures: list[str] = []
        for attempt in range(self.attempts):
            started = time.perf_counter()
            try:
                replies = post(self.url, self.sender, text, self.token, message_id, self.timeout)
            except urllib.error.HTTPError as error:
                failures.append(f"HTTP {error.code}")
            except (OSError, ValueError) as error:
                failures.append(error.__class__.__name__)
            else:
                asked = open_step(replies)
                if expect(asked):
                    turn = Turn(text, message_id, self.step, asked, time.perf_counter() - started, time.monotonic(),
                                failures)
                    self.turns.append(turn)
                    return turn
                failures.append(f"reply asked {asked} after {self.step}: "
                                + " | ".join((m.get("text") or "")[:60] for m in replies))
            time.sleep(self.pause)
        raise AssertionError(f"{self.sender}: {text!r} failed {self.attempts} times: {failures}")

    def _follows(self, asked: Optional[tuple[str, int]]) -> bool:
        """Whether `asked` is what comes right after the open step, the assessment being answered in order."""
        if self.step is None or self.step[0] == "next steps":
            return asked == ("question", self.last_question + 1) or (asked is None and self.last_question == RATINGS)
        return asked in (("question", self.step[1] + 1), ("next steps", 0)) or (
            asked is None and self.step[1] == RATINGS)

    def start(self) -> Turn:
        turn = self.say("start the self-assessment", lambda asked: asked == ("question", 1))
        self.step = turn.asked
        return turn

    def answer(self) -> Optional[Turn]:
        """Answers the open step (a rating, or "skip" for next steps); None when nothing is open any more."""
        if self.step is None:
            return None
        if self.step[0] == "question":
            number = self.step[1]
            text = list(WORDS)[(number + len(self.sender)) % len(WORDS)]
        else:
            text = "skip"
        last = self.step == ("next steps", 0) and self.last_question == RATINGS
        turn = self.say(text, lambda asked: asked is not None or last)
        if not self._follows(turn.asked):
            self.out_of_order.append(f"{turn.message_id} answered {self.step}, the reply asked {turn.asked}")
        if self.step[0] == "question":
            self.sent_ratings[self.step[1]] = WORDS[text]
            self.last_question = self.step[1]
        self.step = turn.asked
        return turn

    @property
    def done(self) -> bool:
        return self.step is None and self.last_question == RATINGS

    @property
    def failed_requests(self) -> int:
        return sum(len(t.failures) for t in self.turns)
