"""scheduler lease: exactly one reminder scheduler active among the processes of a deployment

Revision ID: 0013_scheduler_lease
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

import huanjie.store.types

revision = "0013_scheduler_lease"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("owner", sa.String(120), nullable=True),
        sa.Column("until", huanjie.store.types.AwareDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("scheduler_lease")
