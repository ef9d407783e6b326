"""role_changes: who got which role and scope, when, by which invite code or the CLI

Revision ID: 0010_roles
Revises: 0009_dl
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_roles"
down_revision = "0009_dl"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "role_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=True),
        sa.Column("village_ids", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_role_changes_user_id", "role_changes", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_role_changes_user_id", table_name="role_changes")
    op.drop_table("role_changes")
