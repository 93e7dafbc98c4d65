"""Reads and writes participants' work; the only module that knows the tables.

The services call these methods inside one transaction per conversational turn.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from datetime import datetime

from bot.models import (AssessmentAnswer, AssessmentRound, DimensionReflection, Participant, Reminder, WorkItem,
                        utcnow)


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # participants -------------------------------------------------------------------------
    def find_participant(self, sender_id: str) -> Optional[Participant]:
        return self.session.execute(
            select(Participant).where(Participant.sender_id == sender_id)
        ).scalar_one_or_none()

    def participant(self, sender_id: str) -> Participant:
        """The participant with this sender id, created on first contact."""
        found = self.find_participant(sender_id)
        if found is None:
            found = Participant(sender_id=sender_id)
            self.session.add(found)
            self.session.flush()
        return found

    def set_position(self, participant: Participant, stage: Optional[str], awaiting: Optional[str]) -> None:
        participant.stage = stage
        participant.awaiting = awaiting

    # self-assessment answers (of the current round unless a round is named) ---------------
    def answers(self, participant: Participant, round: Optional[int] = None) -> dict[str, AssessmentAnswer]:
        number = round or participant.assessment_round or 1
        return {a.factor_id: a for a in participant.answers if (a.round or 1) == number}

    def _answer_row(self, participant: Participant, factor_id: str) -> AssessmentAnswer:
        row = self.answers(participant).get(factor_id)
        if row is None:
            row = AssessmentAnswer(participant_id=participant.id, round=participant.assessment_round or 1,
                                   factor_id=factor_id, skipped=False)
            participant.answers.append(row)
        return row

    def save_rating(self, participant: Participant, factor_id: str, rating: str,
                    note: Optional[str]) -> AssessmentAnswer:
        """Stores a rating; a new note replaces the old one, no note keeps it."""
        row = self._answer_row(participant, factor_id)
        row.rating = rating
        row.skipped = False
        if note:
            row.note = note
        self.session.flush()
        return row

    def mark_skipped(self, participant: Participant, factor_id: str) -> None:
        row = self._answer_row(participant, factor_id)
        if row.rating is None:
            row.skipped = True
        self.session.flush()

    def clear_skips(self, participant: Participant) -> None:
        for row in self.answers(participant).values():
            row.skipped = False
        self.session.flush()

    # dimension reflections ----------------------------------------------------------------
    def reflections(self, participant: Participant, round: Optional[int] = None) -> dict[str, DimensionReflection]:
        number = round or participant.assessment_round or 1
        return {r.dimension_id: r for r in participant.reflections if (r.round or 1) == number}

    def save_next_steps(self, participant: Participant, dimension_id: str, text: Optional[str]) -> None:
        """Records the next steps, or that the participant chose to write none (text None)."""
        row = self.reflections(participant).get(dimension_id)
        if row is None:
            row = DimensionReflection(participant_id=participant.id, round=participant.assessment_round or 1,
                                      dimension_id=dimension_id)
            participant.reflections.append(row)
        row.next_steps = text
        self.session.flush()

    # worksheets (purpose, 5 Whys, logic model, action plans) ----------------------------------
    def work_items(self, participant: Participant, kind: str) -> list[WorkItem]:
        return list(self.session.execute(
            select(WorkItem).where(WorkItem.participant_id == participant.id, WorkItem.kind == kind)
            .order_by(WorkItem.created_at, WorkItem.id)).scalars())

    def work_item(self, participant: Participant, kind: str, key: str = "main") -> Optional[WorkItem]:
        return self.session.execute(select(WorkItem).where(
            WorkItem.participant_id == participant.id, WorkItem.kind == kind, WorkItem.key == key)).scalar_one_or_none()

    def save_work_item(self, participant: Participant, kind: str, key: str, data: dict) -> WorkItem:
        """Stores the whole document; a JSON column only notices a new object, so pass a fresh dict."""
        item = self.work_item(participant, kind, key)
        if item is None:
            item = WorkItem(participant_id=participant.id, kind=kind, key=key, data=data)
            self.session.add(item)
        else:
            item.data = data
        self.session.flush()
        return item

    # self-assessment rounds ----------------------------------------------------------------
    def rounds(self, participant: Participant) -> list[AssessmentRound]:
        """Every round begun, oldest first; round 1 is recorded the first time it is asked for."""
        found = list(self.session.execute(select(AssessmentRound).where(
            AssessmentRound.participant_id == participant.id).order_by(AssessmentRound.number)).scalars())
        if not found:
            first = AssessmentRound(participant_id=participant.id, number=1,
                                    started_at=min((a.updated_at for a in participant.answers), default=None) or utcnow())
            self.session.add(first)
            self.session.flush()
            found = [first]
        return found

    def start_round(self, participant: Participant) -> AssessmentRound:
        number = max(r.number for r in self.rounds(participant)) + 1
        row = AssessmentRound(participant_id=participant.id, number=number)
        self.session.add(row)
        participant.assessment_round = number
        self.session.flush()
        return row

    # reminders ------------------------------------------------------------------------------
    def add_reminder(self, participant: Participant, due_at: datetime, about: Optional[str]) -> Reminder:
        row = Reminder(participant_id=participant.id, name="pending", due_at=due_at, about=about)
        self.session.add(row)
        self.session.flush()
        row.name = f"reminder-{row.id}"
        self.session.flush()
        return row

    def reminder(self, name: str) -> Optional[Reminder]:
        return self.session.execute(select(Reminder).where(Reminder.name == name)).scalar_one_or_none()

    def reminders(self, participant: Participant, pending_only: bool = True) -> list[Reminder]:
        query = select(Reminder).where(Reminder.participant_id == participant.id)
        if pending_only:
            query = query.where(Reminder.fired_at.is_(None))
        return list(self.session.execute(query.order_by(Reminder.due_at)).scalars())

    def pending_reminders(self) -> list[tuple[str, Reminder]]:
        """Every reminder not yet delivered, with its participant's sender id (for re-scheduling)."""
        rows = self.session.execute(select(Participant.sender_id, Reminder).join(
            Reminder, Reminder.participant_id == Participant.id).where(Reminder.fired_at.is_(None))
            .order_by(Reminder.due_at))
        return [(sender, reminder) for sender, reminder in rows]

    def delete_participant(self, participant: Participant) -> None:
        for table in (AssessmentAnswer, DimensionReflection, WorkItem, AssessmentRound, Reminder):
            self.session.execute(delete(table).where(table.participant_id == participant.id))
        self.session.delete(participant)
        self.session.flush()
