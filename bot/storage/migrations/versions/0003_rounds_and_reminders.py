"""self-assessment rounds (earlier rounds kept) and reminders that outlive a restart

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ROUNDED = (("assessment_answers", "factor_id", "uq_answer_factor", "uq_answer_round_factor"),
            ("dimension_reflections", "dimension_id", "uq_reflection_dimension", "uq_reflection_round_dimension"))


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("assessment_round", sa.Integer(), nullable=False, server_default="1"))
    for table, column, old, new in _ROUNDED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("round", sa.Integer(), nullable=False, server_default="1"))
            batch.drop_constraint(old, type_="unique")
            batch.create_unique_constraint(new, ["participant_id", "round", column])
    op.create_table(
        "assessment_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("participant_id", "number", name="uq_assessment_round"),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("about", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("fired_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("reminders")
    op.drop_table("assessment_rounds")
    for table, column, old, new in _ROUNDED:
        op.execute(sa.text(f"DELETE FROM {table} WHERE round > 1"))
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(new, type_="unique")
            batch.create_unique_constraint(old, ["participant_id", column])
            batch.drop_column("round")
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("assessment_round")
