"""Stage B as a conversation: asks each factor, reads the answer, moves on, sums up.

The service keeps every bit of state in the database (which question is awaited, every
rating, note, skip and next step), so a pause, a lost connection or a server restart costs
nothing: the next turn reads where things stand. Rasa's form only decides *when* to call it.

Steps run in the toolkit's order: the factors of a dimension, then that dimension's
optional next steps (after its summary), then the next dimension.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Callable, Optional

from bot.storage.db import Database
from bot.language.explain import explain, find_term
from bot.content.knowledge import Dimension, Factor, Knowledge, knowledge as load_default
from bot.content.messages import say
from bot.storage.models import Participant
from bot.language.commands import BACK, SKIP, Command, declines, parse_command
from bot.language.ratings import (CONFLICT, EMPTY, IN_BETWEEN, LABELS, OFF_SCALE, QUESTION, RATINGS, UNSURE,
                         parse_rating)
from bot.language.replies import Button, Reply, Turn
from bot.language.understanding import RATING, SENTENCE, Expected
from bot.storage.repository import Repository
from bot.assessment.scoring import NEEDS_WORK, READY, DimensionResult, score_dimension
from bot.language.text import MAX_ANSWER_CHARS, clean_text, looks_like_question, too_long

if TYPE_CHECKING:
    from bot.lessons.advisor import Advisor

STAGE = "self_assessment"
NEXT_STEPS = ".next_steps"

RATING_BUTTONS = tuple(Button(LABELS[r].capitalize(), LABELS[r]) for r in RATINGS)
SKIP_BUTTON = Button("Skip", "skip")

# What to say when an answer is not a rating, by the reason parse_rating gives.
_NOT_A_RATING: dict[str, Callable[[], str]] = {
    EMPTY: lambda: say("assessment.rating_empty"),
    QUESTION: lambda: say("assessment.rating_question"),
    IN_BETWEEN: lambda: say("assessment.rating_in_between"),
    UNSURE: lambda: say("assessment.rating_unsure"),
    OFF_SCALE: lambda: say("assessment.rating_off_scale"),
    CONFLICT: lambda: say("assessment.rating_conflict"),
}


def is_next_steps(step: Optional[str]) -> bool:
    return bool(step) and step.endswith(NEXT_STEPS)


class SelfAssessment:
    def __init__(self, db: Database, knowledge: Optional[Knowledge] = None, advisor: Optional["Advisor"] = None) -> None:
        self.db = db
        self.kb = knowledge or load_default()
        self.advisor = advisor  # offers lessons when a dimension needs work
        self.steps: list[str] = []
        for dimension in self.kb.dimensions:
            self.steps += [f.id for f in dimension.factors] + [dimension.id + NEXT_STEPS]

    # --- state -------------------------------------------------------------------------
    def _is_pending(self, repo: Repository, p: Participant, step: str) -> bool:
        if is_next_steps(step):
            return step[: -len(NEXT_STEPS)] not in repo.reflections(p)
        row = repo.answers(p).get(step)
        return row is None or (row.rating is None and not row.skipped)

    def _next_pending(self, repo: Repository, p: Participant, after: Optional[str] = None) -> Optional[str]:
        """The first open step after `after` (wrapping round to the start), or None when all are done."""
        start = self.steps.index(after) + 1 if after in self.steps else 0
        order = self.steps[start:] + self.steps[:start]
        return next((s for s in order if self._is_pending(repo, p, s)), None)

    def _answered_count(self, repo: Repository, p: Participant) -> int:
        return sum(1 for a in repo.answers(p).values() if a.rating)

    def completion(self, repo: Repository, p: Participant) -> tuple[int, bool]:
        """(factors rated in the current round, whether every step of it is done)."""
        answered = self._answered_count(repo, p)
        return answered, answered > 0 and self._next_pending(repo, p) is None

    def results(self, repo: Repository, p: Participant, round: Optional[int] = None) -> list[DimensionResult]:
        ratings = {fid: a.rating for fid, a in repo.answers(p, round).items()}
        return [score_dimension(d, ratings, self.kb.ready_threshold) for d in self.kb.dimensions]

    def has_pending(self, sender: str) -> bool:
        with self.db.transaction() as repo:
            return self._next_pending(repo, repo.participant(sender)) is not None

    # --- entering and leaving ------------------------------------------------------------
    def start(self, sender: str, resume: bool = False) -> Turn:
        """Begins or resumes: "start" goes to the first unanswered factor (skipped ones too),
        "resume" to the question that was open when the user left."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            first_time = not p.answers and not p.reflections
            p.last_asked = None  # a fresh start shows the question in full
            if not resume:
                repo.clear_skips(p)
            if resume and p.awaiting in self.steps and self._is_pending(repo, p, p.awaiting):
                target = p.awaiting
            else:
                target = self._next_pending(repo, p, after=p.awaiting if resume else None)
            repo.set_position(p, STAGE, target)
            answered = self._answered_count(repo, p)
            total = len(self.kb.factors)
            if target is None:
                return Turn(tuple(self._overview(repo, p)), pending=False)
            where = self._step_label(target)
            if first_time:
                text = say("assessment.introduction", total=total)
            elif resume:
                text = say("assessment.welcome_back", answered=answered, total=total, step=where)
            else:
                text = say("assessment.continue_at", answered=answered, total=total, step=where)
            return Turn((Reply(text),), pending=True)

    def new_round(self, sender: str, force: bool = False) -> Turn:
        """Begins the next round; the earlier ones stay stored and the overview compares with the last."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            current = p.assessment_round or 1
            answered = self._answered_count(repo, p)
            if answered == 0:
                text = say("assessment.round_empty", round=current)
            elif self._next_pending(repo, p) is not None and not force:
                return Turn((Reply(say("assessment.round_unfinished", round=current, answered=answered,
                                       total=len(self.kb.factors), next_round=current + 1),
                                   (Button("Continue", "continue"),
                                    Button("New round anyway", "start a new self-assessment round anyway"))),), False)
            else:
                repo.rounds(p)  # records round 1's start before round 2 begins
                repo.start_round(p)
                text = say("assessment.round_started", round=p.assessment_round, total=len(self.kb.factors),
                           previous=current)
            p.last_asked = None
            repo.set_position(p, STAGE, self._next_pending(repo, p))
            return Turn((Reply(text),), pending=p.awaiting is not None)

    def rounds(self, repo: Repository, p: Participant) -> list[dict]:
        """Every round's ratings and dimension results, oldest first (for the export)."""
        out = []
        for row in repo.rounds(p):
            answers = repo.answers(p, row.number)
            out.append({
                "round": row.number,
                "started": row.started_at.date().isoformat() if row.started_at else None,
                "current": row.number == (p.assessment_round or 1),
                "ratings": {fid: answers[fid].rating if fid in answers else None for fid in self.kb.factor_order},
                "dimensions": {r.dimension.id: {"mean": r.mean, "status": r.status, "rated": r.rated_count}
                               for r in self.results(repo, p, row.number)},
            })
        return out

    def _comparison(self, repo: Repository, p: Participant) -> Optional[str]:
        """Dimension by dimension against the previous round, when there is one."""
        current = p.assessment_round or 1
        if current < 2:
            return None
        before = {r.dimension.id: r for r in self.results(repo, p, current - 1)}
        lines = [say("assessment.compared_with_round", round=current - 1)]
        for now in self.results(repo, p):
            then = before[now.dimension.id]
            title = now.dimension.title
            if now.mean is None or then.mean is None:
                lines.append(say("assessment.not_comparable", dimension=title))
                continue
            delta = now.mean - then.mean
            trend = (say("assessment.trend_up", change=abs(delta)) if delta > 0.05 else
                     say("assessment.trend_down", change=abs(delta)) if delta < -0.05 else
                     say("assessment.trend_unchanged"))
            if now.status != then.status:
                status = say("assessment.now_ready") if now.status == READY else say("assessment.now_needs_work")
                lines.append(say("assessment.round_change_status", dimension=title, before=then.mean, after=now.mean,
                                 trend=trend, status=status))
            else:
                lines.append(say("assessment.round_change", dimension=title, before=then.mean, after=now.mean,
                                 trend=trend))
        return "\n".join(lines)

    def pause(self, sender: str) -> Reply:
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            if p is None or p.stage != STAGE or p.awaiting is None:
                return Reply(say("assessment.paused_nothing_open"))
            answered = self._answered_count(repo, p)
            return Reply(say("assessment.paused", answered=answered, step=self._step_label(p.awaiting)))

    # --- asking ----------------------------------------------------------------------------
    def _step_label(self, step: str) -> str:
        if is_next_steps(step):
            dimension = self.kb.dimension(step[: -len(NEXT_STEPS)])
            return say("assessment.step_next_steps", dimension=dimension.title.lower())
        return say("assessment.step_question", number=self.kb.factor(step).number)

    def question(self, sender: str) -> Reply:
        """The question for the step the bot is waiting on."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            step = p.awaiting
            if step not in self.steps:
                step = self._next_pending(repo, p)
                repo.set_position(p, STAGE, step)
            if step is None:
                return Reply(say("assessment.all_answered"))
            variant = repo.ask_variant(p)
            again = variant != "full"
            if is_next_steps(step):
                dimension = self.kb.dimension(step[: -len(NEXT_STEPS)])
                if again:
                    return Reply(say("assessment.next_steps_again", dimension=dimension.title.lower()), (SKIP_BUTTON,))
                return self._next_steps_question(repo, p, dimension)
            factor = self.kb.factor(step)
            if variant == "nudge":  # asked a third time in a row: an example and a way out, not the same words
                return Reply(say("assessment.question_nudge", number=factor.number, factor=factor.short),
                             RATING_BUTTONS + (SKIP_BUTTON,))
            if again:
                return Reply(say("assessment.question_again", number=factor.number, factor=factor.title),
                             RATING_BUTTONS)
            return self._factor_question(repo, p, factor)

    def expected(self, sender: str) -> Expected:
        """A rating for a factor, a sentence for a dimension's next steps."""
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            step = p.awaiting if p is not None else None
        return Expected(SENTENCE) if step is not None and is_next_steps(step) else Expected(RATING)

    def open_step_label(self, sender: str) -> str:
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            step = p.awaiting if p is not None and p.stage == STAGE else None
            if step not in self.steps:
                return say("assessment.step_none")
            return say("assessment.step_of_total", step=self._step_label(step), answered=self._answered_count(repo, p),
                       total=len(self.kb.factors))

    def start_over(self, sender: str) -> Turn:
        """Back to question 1; the ratings stay until they are changed (a new round starts afresh)."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            repo.set_position(p, STAGE, self.steps[0])
            p.last_asked = None
        return Turn((Reply(say("assessment.from_the_top")),), True)

    def _factor_question(self, repo: Repository, p: Participant, factor: Factor) -> Reply:
        dimension = self.kb.dimension(factor.dimension_id)
        position = dimension.factors.index(factor) + 1
        lines = [say("assessment.question_head", number=factor.number, total=len(self.kb.factors),
                     dimension=dimension.title, position=position, count=len(dimension.factors), factor=factor.title)]
        lines += [f"- {s}" for s in factor.statements]
        current = repo.answers(p).get(factor.id)
        if current is not None and current.rating:
            rating = LABELS[current.rating]
            lines.append(say("assessment.answer_so_far_with_note", rating=rating, note=current.note) if current.note
                         else say("assessment.answer_so_far", rating=rating))
        else:
            lines.append(say("assessment.how_far"))
        return Reply("\n".join(lines), RATING_BUTTONS)

    def _next_steps_question(self, repo: Repository, p: Participant, dimension: Dimension) -> Reply:
        result = next(r for r in self.results(repo, p) if r.dimension.id == dimension.id)
        current = repo.reflections(p).get(dimension.id)
        ask = (say("assessment.next_steps_so_far", next_steps=current.next_steps)
               if current is not None and current.next_steps else say("assessment.ask_next_steps"))
        text, buttons = self._dimension_summary(result) + "\n" + ask, (SKIP_BUTTON,)
        if self.advisor is not None and result.status == NEEDS_WORK and result.weakest:
            offer = self.advisor.for_factors(result.weakest[:2],
                                             say("assessment.lessons_for", factor=result.weakest[0].short))
            if offer is not None:
                text, buttons = text + "\n" + offer.text, buttons + offer.buttons
        return Reply(text, buttons)

    def _dimension_summary(self, result: DimensionResult) -> str:
        dimension = result.dimension
        counts = Counter(result.ratings.get(f.id) for f in dimension.factors)
        spread = [f"{LABELS[r]} {counts[r]}" for r in RATINGS if counts[r]]
        if counts[None]:
            spread.append(say("assessment.unanswered_count", count=counts[None]))
        head = say("assessment.summary_head", dimension=dimension.title.lower(),
                   spread=", ".join(spread) or say("assessment.no_ratings_yet"))
        if result.status is None:
            return head + " " + say("assessment.summary_no_status")
        lines = [head, say("assessment.summary_ready", mean=result.mean) if result.status == READY
                 else say("assessment.summary_needs_work", mean=result.mean)]
        if result.weakest:
            lines.append(say("assessment.weakest", factors=", ".join(
                f"{f.short} ({LABELS[result.ratings[f.id]]})" for f in result.weakest[:3])))
        reverse_agreed = [f for f in dimension.factors if f.reverse and result.ratings.get(f.id) in ("agree", "strongly_agree")]
        for factor in reverse_agreed:
            lines.append(say("assessment.reverse_agreed", factor=factor.short))
        return " ".join(lines)

    # --- answering -------------------------------------------------------------------------
    def handle(self, sender: str, text: str, intent: Optional[str] = None) -> Turn:
        """Reads one message given while a self-assessment question is open."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            if p.stage != STAGE:
                return Turn((Reply(say("assessment.not_started")),), pending=False)
            command = parse_command(text, self.kb)
            if command is None and intent in ("skip", "go_back") and not parse_rating(text).ok:
                command = Command(SKIP if intent == "skip" else BACK)
            if p.awaiting not in self.steps and (command is None or command.kind == SKIP):
                repo.set_position(p, STAGE, self._next_pending(repo, p))
                if p.awaiting is None:
                    return Turn(tuple(self._overview(repo, p)), pending=False)
            if command is not None:
                replies = self._run_command(repo, p, command)
            elif is_next_steps(p.awaiting):
                replies = self._take_next_steps(repo, p, text)
            else:
                replies = self._take_rating(repo, p, text)
            return Turn(tuple(replies), pending=p.awaiting is not None)

    def _advance(self, repo: Repository, p: Participant) -> None:
        repo.set_position(p, STAGE, self._next_pending(repo, p, after=p.awaiting))

    def _take_rating(self, repo: Repository, p: Participant, text: str) -> list[Reply]:
        factor = self.kb.factor(p.awaiting)
        if too_long(clean_text(text)):
            return [Reply(say("assessment.note_too_long", limit=MAX_ANSWER_CHARS))]
        parsed = parse_rating(text)
        if not parsed.ok:
            unclear = _NOT_A_RATING.get(parsed.reason)
            return [Reply(unclear() if unclear is not None else say("assessment.rating_unclear"))]
        repo.save_rating(p, factor.id, parsed.rating, parsed.note)
        self._advance(repo, p)
        rating = LABELS[parsed.rating]
        if parsed.note:
            return [Reply(say("assessment.rating_recorded_with_note", rating=rating, number=factor.number,
                              factor=factor.short, note=parsed.note))]
        return [Reply(say("assessment.rating_recorded", rating=rating, number=factor.number, factor=factor.short))]

    def _take_next_steps(self, repo: Repository, p: Participant, text: str) -> list[Reply]:
        dimension = self.kb.dimension(p.awaiting[: -len(NEXT_STEPS)])
        cleaned = clean_text(text)
        if too_long(cleaned):
            return [Reply(say("assessment.next_steps_too_long", limit=MAX_ANSWER_CHARS))]
        if not cleaned:
            return [Reply(say("assessment.next_steps_empty"))]
        if declines(cleaned):
            repo.save_next_steps(p, dimension.id, None)
            reply = say("assessment.next_steps_declined", dimension=dimension.title.lower())
        else:
            repo.save_next_steps(p, dimension.id, cleaned)
            reply = say("assessment.next_steps_saved", dimension=dimension.title.lower())
        self._advance(repo, p)
        return [Reply(reply)]

    def _run_command(self, repo: Repository, p: Participant, command: Command) -> list[Reply]:
        step = p.awaiting
        if command.kind == SKIP:
            if is_next_steps(step):
                if step[: -len(NEXT_STEPS)] not in repo.reflections(p):
                    repo.save_next_steps(p, step[: -len(NEXT_STEPS)], None)
                text = say("assessment.next_steps_skipped")
            else:
                answer = repo.answers(p).get(step)
                kept = answer is not None and answer.rating
                repo.mark_skipped(p, step)
                number = self.kb.factor(step).number
                text = (say("assessment.answer_kept", number=number) if kept else
                        say("assessment.question_skipped", number=number))
            self._advance(repo, p)
            return [Reply(text)]
        if command.kind == BACK:
            index = self.steps.index(step) if step in self.steps else len(self.steps)
            if index == 0:
                return [Reply(say("assessment.nothing_before"))]
            repo.set_position(p, STAGE, self.steps[index - 1])
            return [Reply(say("assessment.going_back", step=self._step_label(p.awaiting)))]
        # CHANGE: the factor named, else the one answered just before the current question
        factor_id = command.factor_id or self._previous_factor(step)
        if factor_id is None:
            return [Reply(say("assessment.which_question"))]
        factor = self.kb.factor(factor_id)
        if command.rating is None:
            repo.set_position(p, STAGE, factor_id)
            return [Reply(say("assessment.revisit", number=factor.number, factor=factor.short))]
        repo.save_rating(p, factor_id, command.rating.rating, command.rating.note)
        if p.awaiting is None or not self._is_pending(repo, p, p.awaiting):
            self._advance(repo, p)
        rating = LABELS[command.rating.rating]
        if p.awaiting:
            return [Reply(say("assessment.rating_changed_back_to", number=factor.number, factor=factor.short,
                              rating=rating, step=self._step_label(p.awaiting)))]
        return [Reply(say("assessment.rating_changed", number=factor.number, factor=factor.short, rating=rating))]

    def _previous_factor(self, step: Optional[str]) -> Optional[str]:
        index = self.steps.index(step) if step in self.steps else len(self.steps)
        earlier = [s for s in self.steps[:index] if not is_next_steps(s)]
        return earlier[-1] if earlier else None

    def takes_as_answer(self, sender: str, text: str) -> bool:
        """Whether a message the classifier read as a question is really the answer to the open step,
        such as next steps that mention a term ("find a neutral convener")."""
        if looks_like_question(text):
            return False
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            step = p.awaiting if p is not None and p.stage == STAGE else None
        if step is None:
            return False
        return is_next_steps(step) or (parse_rating(text).ok and find_term(text, self.kb) is None)

    # --- explaining and summing up ---------------------------------------------------------
    def explain(self, sender: str, text: str) -> Reply:
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            step = p.awaiting if p is not None and p.stage == STAGE else None
            current = self.kb.factor(step) if step in self.kb.factors else None
        return Reply(explain(text, self.kb, current))

    def overview(self, sender: str) -> list[Reply]:
        with self.db.transaction() as repo:
            return self._overview(repo, repo.participant(sender))

    def _overview(self, repo: Repository, p: Participant) -> list[Reply]:
        answers = repo.answers(p)
        if not any(a.rating for a in answers.values()):
            return [Reply(say("assessment.nothing_rated"))]
        results = self.results(repo, p)
        lines = [say("assessment.overview_head")]
        for r in results:
            if r.status is None:
                lines.append(say("assessment.overview_not_rated", dimension=r.dimension.title))
            elif r.status == READY:
                lines.append(say("assessment.overview_ready", dimension=r.dimension.title, mean=r.mean,
                                 rated=r.rated_count))
            else:
                lines.append(say("assessment.overview_needs_work", dimension=r.dimension.title, mean=r.mean,
                                 rated=r.rated_count))
        weak = sorted((r for r in results if r.status == NEEDS_WORK), key=lambda r: r.mean)
        if weak:
            first = weak[0]
            factors = ", ".join(f.short for f in first.weakest[:3])
            title = first.dimension.title.lower()
            lines.append(say("assessment.strengthen_first_especially", dimension=title, factors=factors) if factors
                         else say("assessment.strengthen_first", dimension=title))
        elif all(r.status == READY for r in results):
            lines.append(say("assessment.all_ready"))
        unanswered = [f for f in self.kb.factor_order if answers.get(f) is None or not answers[f].rating]
        if unanswered:
            numbers = ", ".join(str(self.kb.factor(f).number) for f in unanswered)
            lines.append(say("assessment.still_unanswered", numbers=numbers))
        comparison = self._comparison(repo, p)
        if comparison:
            lines.append(comparison)
        replies = [Reply("\n".join(lines))]
        if p.awaiting is None:
            replies.append(Reply(say("assessment.what_comes_next", after_assessment=self.kb.after_assessment)))
        return replies
