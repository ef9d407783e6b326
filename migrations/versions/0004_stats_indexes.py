"""stats indexes: covering indexes for the commune overview

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # completions per village and lesson, core-set finishers and the weekly trend of one commune,
    # answered from the index alone (no table lookups for the ~10k rows of a commune)
    op.create_index(
        "ix_progress_commune_stats",
        "lesson_progress",
        ["completed_commune_id", "completed_village_id", "lesson_id", "completed_at", "user_id"],
    )
    # quiz attempts and pass rate per village of one commune
    op.create_index("ix_quiz_commune_stats", "quiz_attempts", ["commune_id", "village_id", "finished_at", "passed"])


def downgrade() -> None:
    op.drop_index("ix_quiz_commune_stats", table_name="quiz_attempts")
    op.drop_index("ix_progress_commune_stats", table_name="lesson_progress")
