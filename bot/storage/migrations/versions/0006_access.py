"""access: join attempts (to limit guessing) and one-time web links (to continue on the web)

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "join_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("address", sa.String(64)),
        sa.Column("succeeded", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_join_attempts_sender_at", "join_attempts", ["sender_id", "at"])
    op.create_index("ix_join_attempts_address_at", "join_attempts", ["address", "at"])
    op.create_table(
        "web_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime()),
    )


def downgrade() -> None:
    op.drop_table("web_links")
    op.drop_index("ix_join_attempts_address_at", "join_attempts")
    op.drop_index("ix_join_attempts_sender_at", "join_attempts")
    op.drop_table("join_attempts")
