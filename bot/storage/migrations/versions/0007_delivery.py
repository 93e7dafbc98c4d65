"""delivery: reminders claimed, retried and failed; messages held for a person's next message; channel addresses

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime()))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("failed_at", sa.DateTime()))
    op.create_table(
        "held_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("reminder_ids", sa.JSON(), nullable=False),
        sa.Column("names", sa.JSON()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_held_messages_sender_id", "held_messages", ["sender_id"])
    op.create_table(
        "channel_addresses",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("address", sa.JSON()),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("channel_addresses")
    op.drop_index("ix_held_messages_sender_id", "held_messages")
    op.drop_table("held_messages")
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("failed_at")
        batch.drop_column("attempts")
        batch.drop_column("claimed_at")
