"""processed_updates keys become keyed hashes: the server secret they are made with (app_secrets);
the old keys, which held Zalo chat ids, are deleted

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # Old keys were "<chat id>:<message id>" in clear: identifying, and unusable with the new scheme.
    op.execute("DELETE FROM processed_updates")


def downgrade() -> None:
    op.drop_table("app_secrets")
