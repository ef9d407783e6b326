"""class check-in: a class's check-in code and poster token; one attendance row per class and user

Revision ID: 0012_checkin
Revises: 0011_guided
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_checkin"
down_revision = "0011_guided"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("classes") as batch_op:
        batch_op.add_column(sa.Column("checkin_code", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("checkin_token", sa.String(length=48), nullable=True))
        batch_op.create_unique_constraint("uq_classes_checkin_token", ["checkin_token"])
    op.create_index("ix_classes_checkin_code", "classes", ["checkin_code"])
    # Before the unique constraint: a person ticked twice on one class keeps her first row.
    op.execute(
        "DELETE FROM attendance WHERE user_id IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM attendance WHERE user_id IS NOT NULL GROUP BY class_id, user_id)"
    )
    with op.batch_alter_table("attendance") as batch_op:
        batch_op.add_column(sa.Column("via", sa.String(length=16), server_default="team", nullable=False))
        batch_op.create_unique_constraint("uq_attendance_class_user", ["class_id", "user_id"])


def downgrade() -> None:
    with op.batch_alter_table("attendance") as batch_op:
        batch_op.drop_constraint("uq_attendance_class_user", type_="unique")
        batch_op.drop_column("via")
    op.drop_index("ix_classes_checkin_code", table_name="classes")
    with op.batch_alter_table("classes") as batch_op:
        batch_op.drop_constraint("uq_classes_checkin_token", type_="unique")
        batch_op.drop_column("checkin_token")
        batch_op.drop_column("checkin_code")
