"""guided_people, guided_lessons, guided_events: residents a team member guided without a phone

Revision ID: 0011_guided
Revises: 0010_roles
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_guided"
down_revision = "0010_roles"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def _user_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], ondelete="SET NULL")


def upgrade() -> None:
    op.create_table(
        "guided_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=False),
        sa.Column("village_id", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=80), nullable=True),
        sa.Column("name_key", sa.String(length=80), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("consent_at", _TS, nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", _TS, nullable=True),
        sa.Column("claim_user_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", _TS, nullable=True),
        sa.Column("removed_at", _TS, nullable=True),
        sa.Column("removed_by", sa.Integer(), nullable=True),
        _user_fk("recorded_by"),
        _user_fk("user_id"),
        _user_fk("claim_user_id"),
        _user_fk("removed_by"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_guided_village", "guided_people", ["commune_id", "village_id", "recorded_at"])
    op.create_index("ix_guided_match", "guided_people", ["village_id", "name_key", "birth_year"])
    op.create_index("ix_guided_people_user_id", "guided_people", ["user_id"])
    op.create_index("ix_guided_people_claim_user_id", "guided_people", ["claim_user_id"])
    op.create_table(
        "guided_lessons",
        sa.Column("guided_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["guided_id"], ["guided_people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("guided_id", "lesson_id"),
    )
    op.create_table(
        "guided_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guided_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["guided_id"], ["guided_people.id"], ondelete="CASCADE"),
        _user_fk("actor_id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_guided_events_guided_id", "guided_events", ["guided_id"])


def downgrade() -> None:
    op.drop_index("ix_guided_events_guided_id", table_name="guided_events")
    op.drop_table("guided_events")
    op.drop_table("guided_lessons")
    for name in ("ix_guided_people_claim_user_id", "ix_guided_people_user_id", "ix_guided_match", "ix_guided_village"):
        op.drop_index(name, table_name="guided_people")
    op.drop_table("guided_people")
