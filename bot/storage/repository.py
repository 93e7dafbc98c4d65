"""Reads and writes participants' work; the only module that knows the tables.

The services call these methods inside one transaction per conversational turn. A participant
who works on a team reads and writes the team's copy of the shared worksheets (SHARED_KINDS)
through the same methods, so the services need not know whether they serve a person or a team.
"""
from __future__ import annotations

from typing import Optional

from datetime import datetime

from sqlalchemy import and_, column, delete, inspect, or_, select, table, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.models import (AssessmentAnswer, AssessmentRound, ChannelAddress, DimensionReflection, HandledMessage,
                                HeldMessage, JoinAttempt, Participant, Reminder, Team, TeamMember, WebLink, WorkItem,
                                utcnow)

# The work products a team owns together; the self-assessment, the reflection sheet and each
# member's team profile stay personal, as the toolkit asks each partner to answer on its own.
SHARED_KINDS = frozenset({"purpose", "five_whys", "logic_model", "action_plan", "implementation", "sustainability"})


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.personal = False   # True: read a participant's own worksheets even while they work on a team

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

    @staticmethod
    def ask_variant(participant: Participant) -> str:
        """Which wording of the open question to show now, so the same words never come twice in a row:
        "full" the first time, then "short" and "nudge" (an example and a way out) in turn."""
        step, shown = participant.awaiting or "", participant.last_asked or ""
        variant = ("nudge" if shown == f"{step}~short" else
                   "short" if shown in (step, f"{step}~nudge") else "full")
        participant.last_asked = step if variant == "full" else f"{step}~{variant}"
        return variant

    def set_position(self, participant: Participant, stage: Optional[str], awaiting: Optional[str]) -> None:
        if awaiting != participant.awaiting:
            participant.misses = 0
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
    def shared_with_team(self, participant: Participant, kind: str) -> bool:
        return participant.team_id is not None and kind in SHARED_KINDS and not self.personal

    def _owned(self, participant: Participant, kind: str):
        if self.shared_with_team(participant, kind):
            return WorkItem.team_id == participant.team_id
        return and_(WorkItem.participant_id == participant.id, WorkItem.team_id.is_(None))

    def work_items(self, participant: Participant, kind: str) -> list[WorkItem]:
        return list(self.session.execute(
            select(WorkItem).where(self._owned(participant, kind), WorkItem.kind == kind)
            .order_by(WorkItem.created_at, WorkItem.id)).scalars())

    def work_item(self, participant: Participant, kind: str, key: str = "main", lock: bool = False) -> Optional[WorkItem]:
        """One document; `lock` holds the row until commit (PostgreSQL) so two partners' answers
        to a team worksheet are applied one after the other, not one over the other."""
        query = select(WorkItem).where(self._owned(participant, kind), WorkItem.kind == kind, WorkItem.key == key)
        return self.session.execute(query.with_for_update() if lock else query).scalar_one_or_none()

    def save_work_item(self, participant: Participant, kind: str, key: str, data: dict) -> WorkItem:
        """Stores the whole document; a JSON column only notices a new object, so pass a fresh dict."""
        item = self.work_item(participant, kind, key)
        if item is None:
            owner = ({"team_id": participant.team_id} if self.shared_with_team(participant, kind)
                     else {"participant_id": participant.id})
            item = WorkItem(kind=kind, key=key, data=data, **owner)
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
    def add_reminder(self, participant: Participant, due_at: datetime, about: Optional[str],
                     requested_by: Optional[Participant] = None) -> Reminder:
        row = Reminder(participant_id=participant.id, name="pending", due_at=due_at, about=about,
                       requested_by=requested_by.id if requested_by is not None else None)
        self.session.add(row)
        self.session.flush()
        row.name = f"reminder-{row.id}"
        self.session.flush()
        return row

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

    def pending_requested_reminders(self) -> list[tuple[str, Reminder]]:
        """Undelivered reminders someone else asked for (a facilitator), with the recipient's sender id."""
        return [(sender, r) for sender, r in self.pending_reminders() if r.requested_by is not None]

    # teams ------------------------------------------------------------------------------------
    def team_by_code(self, code: str) -> Optional[Team]:
        return self.session.execute(select(Team).where(Team.code == code)).scalar_one_or_none()

    def team(self, team_id: Optional[int]) -> Optional[Team]:
        return self.session.get(Team, team_id) if team_id is not None else None

    def add_team(self, name: str, code: str, expires_at: datetime) -> Team:
        team = Team(name=name, code=code, code_expires_at=expires_at)
        self.session.add(team)
        self.session.flush()
        return team

    def membership(self, team: Team, participant: Participant) -> Optional[TeamMember]:
        return self.session.execute(select(TeamMember).where(
            TeamMember.team_id == team.id, TeamMember.participant_id == participant.id)).scalar_one_or_none()

    def add_member(self, team: Team, participant: Participant, facilitator: bool = False) -> TeamMember:
        member = TeamMember(team_id=team.id, participant_id=participant.id, facilitator=facilitator)
        self.session.add(member)
        self.session.flush()
        return member

    def members(self, team: Team) -> list[tuple[TeamMember, Participant]]:
        """The team's members with their participants, in the order they joined."""
        rows = self.session.execute(select(TeamMember, Participant).join(
            Participant, Participant.id == TeamMember.participant_id).where(TeamMember.team_id == team.id)
            .order_by(TeamMember.joined_at, TeamMember.id))
        return [(member, participant) for member, participant in rows]

    def teams_of(self, participant: Participant) -> list[tuple[Team, TeamMember]]:
        rows = self.session.execute(select(Team, TeamMember).join(TeamMember, TeamMember.team_id == Team.id).where(
            TeamMember.participant_id == participant.id).order_by(TeamMember.joined_at, TeamMember.id))
        return [(team, member) for team, member in rows]

    def remove_member(self, member: TeamMember) -> None:
        self.session.delete(member)
        self.session.flush()

    def team_reader(self, team: Team) -> Participant:
        """A stand-in participant, never stored, that reads `team`'s shared worksheets: lets the
        journey and the workbook judge a team's stages with the code they use for a person."""
        return Participant(id=-team.id, sender_id=f"team:{team.code}", team_id=team.id, assessment_round=1)

    def team_work_items(self, team: Team) -> list[WorkItem]:
        return list(self.session.execute(select(WorkItem).where(WorkItem.team_id == team.id)
                                         .order_by(WorkItem.created_at, WorkItem.id)).scalars())

    def delete_team(self, team: Team) -> None:
        for participant in self.session.execute(select(Participant).where(Participant.team_id == team.id)).scalars():
            participant.team_id = None
        self.session.execute(delete(WorkItem).where(WorkItem.team_id == team.id))
        self.session.execute(delete(TeamMember).where(TeamMember.team_id == team.id))
        self.session.delete(team)
        self.session.flush()

    # join attempts (the limit on guessing codes, bot/teams/limits.py) -------------------------
    def add_join_attempt(self, sender_id: str, address: Optional[str], succeeded: bool, at: datetime) -> None:
        self.session.add(JoinAttempt(sender_id=sender_id, address=address, succeeded=succeeded, at=at))
        self.session.flush()

    def failed_join_times(self, since: datetime, sender_id: Optional[str] = None,
                          address: Optional[str] = None) -> list[datetime]:
        """When the failed attempts after `since` by this sender (or from this address) were made, oldest first."""
        query = select(JoinAttempt.at).where(JoinAttempt.succeeded.is_(False), JoinAttempt.at > since)
        if sender_id is not None:
            query = query.where(JoinAttempt.sender_id == sender_id)
        if address is not None:
            query = query.where(JoinAttempt.address == address)
        return list(self.session.execute(query.order_by(JoinAttempt.at)).scalars())

    def prune_join_attempts(self, before: datetime) -> None:
        """Removes attempts older than `before`. Rows another server is removing at the same moment are
        skipped (PostgreSQL's SKIP LOCKED), so concurrent joins never wait on each other here."""
        old = select(JoinAttempt.id).where(JoinAttempt.at < before).with_for_update(skip_locked=True)
        self.session.execute(delete(JoinAttempt).where(JoinAttempt.id.in_(old)),
                             execution_options={"synchronize_session": False})
        self.session.flush()

    def delete_participant(self, participant: Participant) -> None:
        """Removes the participant and every row of theirs (their contributions to team worksheets
        are removed by the caller, who knows the documents' shape)."""
        self.session.execute(Reminder.__table__.update().where(Reminder.requested_by == participant.id)
                             .values(requested_by=None))
        for table in (AssessmentAnswer, DimensionReflection, WorkItem, AssessmentRound, Reminder, TeamMember):
            self.session.execute(delete(table).where(table.participant_id == participant.id))
        self.session.delete(participant)
        self.session.flush()

    # messages applied once --------------------------------------------------------------------------
    def first_handling(self, sender_id: str, message_id: str, forget_before: datetime) -> bool:
        """Records that this conversation's message `message_id` is being handled, in the caller's transaction;
        False when it was handled before (a client's retry). Two servers handling the same message at once meet
        at the unique key: on PostgreSQL the second waits for the first to commit and then gets False. Ids
        handled before `forget_before` are dropped (retries come within minutes)."""
        self.session.execute(delete(HandledMessage).where(HandledMessage.sender_id == sender_id,
                                                          HandledMessage.handled_at < forget_before)
                             .execution_options(synchronize_session=False))
        seen = self.session.execute(select(HandledMessage.id).where(
            HandledMessage.sender_id == sender_id, HandledMessage.message_id == message_id)).first()
        if seen is not None:
            return False
        row = HandledMessage(sender_id=sender_id, message_id=message_id)
        if self.session.get_bind().dialect.name != "postgresql":
            self.session.add(row)        # SQLite writes one transaction at a time; no savepoint needed (or safe)
            self.session.flush()
            return True
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return False
        return True

    # reminder delivery: claims, held messages, channel addresses ----------------------------------
    def due_reminders(self, now: datetime, stale_before: datetime) -> list[tuple[str, Reminder]]:
        """Reminders due and not yet delivered nor given up on, unclaimed or claimed before `stale_before`
        (a server that claimed them stopped before it finished), with their participant's sender id."""
        rows = self.session.execute(select(Participant.sender_id, Reminder).join(
            Reminder, Reminder.participant_id == Participant.id).where(
            Reminder.due_at <= now, Reminder.fired_at.is_(None), Reminder.failed_at.is_(None),
            or_(Reminder.claimed_at.is_(None), Reminder.claimed_at < stale_before)).order_by(Reminder.due_at))
        return [(sender, reminder) for sender, reminder in rows]

    def claim_reminder(self, reminder_id: int, now: datetime, stale_before: datetime) -> bool:
        """Claims one reminder for delivery; False when someone else holds a fresh claim or it was delivered."""
        done = self.session.execute(update(Reminder).where(
            Reminder.id == reminder_id, Reminder.fired_at.is_(None), Reminder.failed_at.is_(None),
            or_(Reminder.claimed_at.is_(None), Reminder.claimed_at < stale_before))
            .values(claimed_at=now).execution_options(synchronize_session=False))
        return done.rowcount == 1

    def reminders_by_id(self, ids: list[int]) -> list[Reminder]:
        if not ids:
            return []
        return list(self.session.execute(select(Reminder).where(Reminder.id.in_(ids))
                                          .order_by(Reminder.due_at, Reminder.id)).scalars())

    def reminder_counts(self) -> dict[str, int]:
        """Reminders waiting to come due or to be sent, held for the person's next message, and given up on."""
        rows = list(self.session.execute(select(Reminder.claimed_at, Reminder.failed_at).where(
            Reminder.fired_at.is_(None))))
        held = sum(len(ids or []) for ids in self.session.execute(select(HeldMessage.reminder_ids)).scalars())
        return {"pending": sum(1 for claimed, failed in rows if claimed is None and failed is None),
                "held": held, "failed": sum(1 for _, failed in rows if failed is not None)}

    def hold_messages(self, sender_id: str, messages: list[dict], reminder_ids: list[int],
                      names: tuple[str, ...] = ()) -> HeldMessage:
        """Keeps messages for `sender_id`'s next message; `names`: the other people (sender ids) they name."""
        row = HeldMessage(sender_id=sender_id, messages=list(messages), reminder_ids=list(reminder_ids),
                          names=list(names))
        self.session.add(row)
        self.session.flush()
        return row

    def take_held(self, sender_id: str) -> list[tuple[list[dict], list[int]]]:
        """The messages held for this conversation, oldest first, removed as they are taken."""
        rows = list(self.session.execute(select(HeldMessage).where(HeldMessage.sender_id == sender_id)
                                         .order_by(HeldMessage.id)).scalars())
        taken = [(list(r.messages), list(r.reminder_ids or [])) for r in rows]
        if rows:
            self.session.execute(delete(HeldMessage).where(HeldMessage.id.in_([r.id for r in rows])))
            self.session.flush()
        return taken

    def channel_address(self, sender_id: str) -> Optional[ChannelAddress]:
        return self.session.get(ChannelAddress, sender_id)

    def save_channel_address(self, sender_id: str, channel: str, address: Optional[dict]) -> bool:
        """Records where the conversation wrote from; True when that changed. A message without an address
        (anything but a Teams personal chat) keeps the Teams reference stored before."""
        row = self.channel_address(sender_id)
        if row is not None and address is None:
            address = row.address
        if row is not None and row.channel == channel and row.address == address:
            return False
        if row is None:
            self.session.add(ChannelAddress(sender_id=sender_id, channel=channel, address=address))
        else:
            row.channel, row.address = channel, (dict(address) if address is not None else None)
        self.session.flush()
        return True

    # one person, every conversation: what "delete my data" reaches beyond the participant rows ----
    @staticmethod
    def _of_person(col, sender_id: str, prefix: Optional[str]):
        """`col` names this person: the sender id itself or, with `prefix`, any conversation under it
        (a Slack user's threads, "slack:T:U:<thread>")."""
        if prefix is None:
            return col == sender_id
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return or_(col == sender_id, col.like(escaped + "%", escape="\\"))

    def participants_of_person(self, sender_id: str, prefix: Optional[str]) -> list[Participant]:
        return list(self.session.execute(select(Participant).where(
            self._of_person(Participant.sender_id, sender_id, prefix)).order_by(Participant.id)).scalars())

    def sender_ids_of_person(self, sender_id: str, prefix: Optional[str]) -> set[str]:
        """Every conversation id of the person that any table of ours or Rasa's conversation log holds."""
        found = {sender_id}
        for col in (Participant.sender_id, HeldMessage.sender_id, ChannelAddress.sender_id, WebLink.sender_id):
            found.update(self.session.execute(select(col).where(self._of_person(col, sender_id, prefix))).scalars())
        events = self._conversation_log()
        if events is not None:
            found.update(self.session.execute(select(events.c.sender_id).distinct().where(
                self._of_person(events.c.sender_id, sender_id, prefix))).scalars())
        return found

    def _conversation_log(self):
        """Rasa's tracker store table when it lives in this database (bot/rasa_plugins/tracker_store.py)."""
        if not inspect(self.session.connection()).has_table("events"):
            return None
        return table("events", column("sender_id"))

    def forget_person(self, sender_id: str, prefix: Optional[str]) -> int:
        """Removes the person's held messages, channel addresses, web links and Rasa conversation logs (all
        their conversations); returns how many conversation log rows went."""
        for model in (HeldMessage, ChannelAddress, WebLink, HandledMessage):
            self.session.execute(delete(model).where(self._of_person(model.sender_id, sender_id, prefix))
                                 .execution_options(synchronize_session=False))
        for held in list(self.session.execute(select(HeldMessage).where(HeldMessage.names.isnot(None))).scalars()):
            if any(name == sender_id or (prefix and name.startswith(prefix)) for name in held.names or []):
                self.session.delete(held)   # a notice to someone else that names this person
        events, removed = self._conversation_log(), 0
        if events is not None:
            removed = self.session.execute(delete(events).where(
                self._of_person(events.c.sender_id, sender_id, prefix))).rowcount or 0
        self.session.flush()
        return removed

    def delete_reminders_requested_by(self, participant: Participant) -> int:
        """Reminders this person asked for on others' behalf: their text names the person who asked."""
        asked = list(self.session.execute(select(Reminder.id).where(Reminder.requested_by == participant.id)).scalars())
        if not asked:
            return 0
        for held in list(self.session.execute(select(HeldMessage)).scalars()):
            if set(held.reminder_ids or []) & set(asked):
                self.session.delete(held)
        self.session.execute(delete(Reminder).where(Reminder.id.in_(asked)))
        self.session.flush()
        return len(asked)
