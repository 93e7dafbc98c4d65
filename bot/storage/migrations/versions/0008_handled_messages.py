"""handled messages: the client message ids already applied per conversation, so a retried message is applied once

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handled_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("sender_id", "message_id", name="uq_handled_message"),
    )


def downgrade() -> None:
    op.drop_table("handled_messages")
