"""practice tasks (scan a QR code: one person, expiring token) and the «Luôn đọc to bài học» setting

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("read_aloud", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "practice_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("commune_id", sa.String(length=64), nullable=True),
        sa.Column("village_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_practice_tasks_user_id", "practice_tasks", ["user_id"])
    op.create_index("ix_practice_done", "practice_tasks", ["commune_id", "village_id", "done_at"])


def downgrade() -> None:
    op.drop_index("ix_practice_done", table_name="practice_tasks")
    op.drop_index("ix_practice_tasks_user_id", table_name="practice_tasks")
    op.drop_table("practice_tasks")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("read_aloud")
