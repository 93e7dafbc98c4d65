"""The stored shape of a participant's work: who they are, where they are, and every answer.

Each table holds one kind of answer so that later stages add tables (through migrations)
without touching these. Rows are keyed by the participant and the id from `knowledge/`,
so an answer given twice is updated in place, never duplicated.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Participant(Base):
    """One person talking to the bot, known by the channel's sender id."""

    __tablename__ = "participants"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    # Where the conversation stands, so it resumes after a pause or a restart.
    stage = Column(String(64))
    awaiting = Column(String(128))
    # The last question shown in full; asking it again right away shows a short reminder instead.
    last_asked = Column(String(128))
    # Messages in a row that were not an answer to the open question: the second miss offers the
    # buttons and an example instead of the same prompt again.
    misses = Column(Integer, nullable=False, default=0, server_default="0")
    # The self-assessment round being answered; earlier rounds stay stored for comparison.
    assessment_round = Column(Integer, nullable=False, default=1, server_default="1")
    # The team whose shared worksheets this participant works on; NULL: their own.
    team_id = Column(Integer, ForeignKey("teams.id", ondelete="SET NULL"))

    answers = relationship("AssessmentAnswer", cascade="all, delete-orphan", lazy="selectin")
    reflections = relationship("DimensionReflection", cascade="all, delete-orphan", lazy="selectin")


class AssessmentAnswer(Base):
    """The rating and note a participant gave one self-assessment factor."""

    __tablename__ = "assessment_answers"
    __table_args__ = (UniqueConstraint("participant_id", "round", "factor_id", name="uq_answer_round_factor"),)

    id = Column(Integer, primary_key=True)
    participant_id = Column(Integer, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False)
    round = Column(Integer, nullable=False, default=1, server_default="1")
    factor_id = Column(String(64), nullable=False)
    rating = Column(String(32))      # a scale id; NULL while skipped
    note = Column(Text)
    skipped = Column(Boolean, nullable=False, default=False)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class DimensionReflection(Base):
    """The optional next steps a participant wrote after a dimension's summary."""

    __tablename__ = "dimension_reflections"
    __table_args__ = (UniqueConstraint("participant_id", "round", "dimension_id", name="uq_reflection_round_dimension"),)

    id = Column(Integer, primary_key=True)
    participant_id = Column(Integer, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False)
    round = Column(Integer, nullable=False, default=1, server_default="1")
    dimension_id = Column(String(64), nullable=False)
    next_steps = Column(Text)        # NULL when the participant chose not to write any
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class WorkItem(Base):
    """One filled-in template (purpose and goals, 5 Whys, logic model, an action plan) as a JSON document.

    The templates differ in shape and grow by repetition (more whys, more steps), so each is
    stored whole; `key` tells apart several of one kind, such as one action plan per goal.
    A document belongs to one participant or, when they work as a team, to the team (then
    `participant_id` is NULL and the document's `_by` map says who wrote each answer).
    """

    __tablename__ = "work_items"
    __table_args__ = (UniqueConstraint("participant_id", "kind", "key", name="uq_work_item"),
                      UniqueConstraint("team_id", "kind", "key", name="uq_team_work_item"))

    id = Column(Integer, primary_key=True)
    participant_id = Column(Integer, ForeignKey("participants.id", ondelete="CASCADE"))
    team_id = Column(Integer, ForeignKey("teams.id", ondelete="CASCADE"))
    kind = Column(String(64), nullable=False)
    key = Column(String(64), nullable=False, default="main")
    data = Column(JSON, nullable=False, default=dict)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class AssessmentRound(Base):
    """When a participant began (and finished) one pass through the self-assessment."""

    __tablename__ = "assessment_rounds"
    __table_args__ = (UniqueConstraint("participant_id", "number", name="uq_assessment_round"),)

    id = Column(Integer, primary_key=True)
    participant_id = Column(Integer, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False)
    number = Column(Integer, nullable=False)
    started_at = Column(DateTime, nullable=False, default=utcnow)


class Reminder(Base):
    """A reminder the participant asked for; kept so it can be scheduled again after a restart."""

    __tablename__ = "reminders"

    id = Column(Integer, primary_key=True)
    participant_id = Column(Integer, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False)
    name = Column(String(64), nullable=False, unique=True)   # the Rasa reminder's name
    due_at = Column(DateTime, nullable=False)                # the server's local time
    about = Column(Text)                                     # what the user asked to be reminded of
    created_at = Column(DateTime, nullable=False, default=utcnow)
    fired_at = Column(DateTime)                              # NULL until delivered (sent, or shown to them)
    # Who asked, when not the participant (a team's facilitator): told when it cannot be delivered.
    requested_by = Column(Integer, ForeignKey("participants.id", ondelete="SET NULL"))
    # The Rasa server that fires it claims it first (only one does, and a stale claim is taken over);
    # failed_at: every push failed (the person sees it at their next message; the asker was told).
    claimed_at = Column(DateTime)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    failed_at = Column(DateTime)


class Team(Base):
    """Partners working together: a name, a join code that expires, and the team's own choices."""

    __tablename__ = "teams"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    code = Column(String(12), nullable=False, unique=True)
    code_expires_at = Column(DateTime, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # Ratings are compared only once this many members have answered (the team may lower it).
    min_group = Column(Integer, nullable=False, default=3, server_default="3")
    # Individual ratings are shown by organisation only when the team opted in; else aggregates.
    by_organisation = Column(Boolean, nullable=False, default=False, server_default=false())


class TeamMember(Base):
    """A participant's place in a team; the profile (name, organisation, sector, role) is a worksheet."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "participant_id", name="uq_team_member"),)

    id = Column(Integer, primary_key=True)
    team_id = Column(Integer, ForeignKey("teams.id", ondelete="CASCADE"), nullable=False)
    participant_id = Column(Integer, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False)
    facilitator = Column(Boolean, nullable=False, default=False, server_default=false())
    joined_at = Column(DateTime, nullable=False, default=utcnow)


class JoinAttempt(Base):
    """One try at a team's join code, by whom and from where: the limit on guessing counts these.
    Not tied to a participant row, so a guesser who never answered anything is counted too."""

    __tablename__ = "join_attempts"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=False)
    address = Column(String(64))            # the caller's network address when the channel knows it
    succeeded = Column(Boolean, nullable=False, default=False, server_default=false())
    at = Column(DateTime, nullable=False, default=utcnow)


class WebLink(Base):
    """A one-time link that opens the web page as the participant who asked for it. Only a hash of
    the link's secret is kept; it works once, until `expires_at`."""

    __tablename__ = "web_links"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    sender_id = Column(String(255), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime)


class HeldMessage(Base):
    """Messages for someone the server could not reach when they were due (REST has no push, a web page
    was closed, a send failed): shown at their next message, then deleted. `reminder_ids` are the
    reminders it carries, marked delivered only once it was shown."""

    __tablename__ = "held_messages"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    messages = Column(JSON, nullable=False)        # Rasa's message dicts: text, buttons
    reminder_ids = Column(JSON, nullable=False, default=list)
    names = Column(JSON, default=list)             # sender ids of others it names: deleted with their data
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ChannelAddress(Base):
    """Where a conversation can be reached without being asked: the channel it last wrote from and, for
    Teams, the conversation reference a proactive message needs (service URL, conversation, bot)."""

    __tablename__ = "channel_addresses"

    sender_id = Column(String(255), primary_key=True)
    channel = Column(String(32), nullable=False)
    address = Column(JSON)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class HandledMessage(Base):
    """A client's id for a message already applied to this conversation (REST's optional "message_id"). It is
    written in the same transaction as the answer, so a client's retry of a message whose reply never
    reached it (a server stopped) is recognised and not applied a second time."""

    __tablename__ = "handled_messages"
    __table_args__ = (UniqueConstraint("sender_id", "message_id", name="uq_handled_message"),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False)
    message_id = Column(String(64), nullable=False)
    handled_at = Column(DateTime, nullable=False, default=utcnow)
