"""worker heartbeats: commands that wake a case can tell whether a worker will pick it up

Revision ID: 0006_worker_heartbeat
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

import huanjie.store.types

revision = "0006_worker_heartbeat"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeat",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("host", sa.String(100), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("started_at", huanjie.store.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("beat_at", huanjie.store.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", huanjie.store.types.AwareDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("worker_heartbeat")
