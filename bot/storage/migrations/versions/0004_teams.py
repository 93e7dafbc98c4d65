"""teams: join codes, members, team-owned worksheets, the active team, reminders asked by a facilitator

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("code_expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("min_group", sa.Integer(), nullable=False, server_default="3"),
        sa.Column("by_organisation", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("facilitator", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "participant_id", name="uq_team_member"),
    )
    # Not a batch operation: on SQLite that would copy and drop `participants`, and dropping it
    # cascades to every answer. SQLite takes the foreign key inline in ADD COLUMN.
    if op.get_context().dialect.name == "sqlite":
        op.execute(sa.text("ALTER TABLE participants ADD COLUMN team_id INTEGER "
                           "REFERENCES teams (id) ON DELETE SET NULL"))
    else:
        op.add_column("participants", sa.Column("team_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_participants_team", "participants", "teams", ["team_id"], ["id"],
                              ondelete="SET NULL")
    with op.batch_alter_table("work_items") as batch:
        batch.alter_column("participant_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_work_items_team", "teams", ["team_id"], ["id"], ondelete="CASCADE")
        batch.create_unique_constraint("uq_team_work_item", ["team_id", "kind", "key"])
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("requested_by", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_reminders_requested_by", "participants", ["requested_by"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_constraint("fk_reminders_requested_by", type_="foreignkey")
        batch.drop_column("requested_by")
    op.execute(sa.text("DELETE FROM work_items WHERE team_id IS NOT NULL"))
    with op.batch_alter_table("work_items") as batch:
        batch.drop_constraint("uq_team_work_item", type_="unique")
        batch.drop_constraint("fk_work_items_team", type_="foreignkey")
        batch.drop_column("team_id")
        batch.alter_column("participant_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("participants") as batch:
        if op.get_context().dialect.name != "sqlite":
            batch.drop_constraint("fk_participants_team", type_="foreignkey")
        batch.drop_column("team_id")
    op.drop_table("team_members")
    op.drop_table("teams")
