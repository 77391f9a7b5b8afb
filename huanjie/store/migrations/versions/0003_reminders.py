"""reminders: notices, reminder items, deliveries and their attempts; APScheduler's job table

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import huanjie.store.types

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, huanjie.store.types.AwareDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("campaign_code", sa.String(40), nullable=False, index=True),
        sa.Column("audience", sa.String(120), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body_md", sa.Text(), nullable=False),
        sa.Column("brief_md", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _ts("created_at", nullable=False),
    )
    op.create_table(
        "reminder_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("notice_id", sa.Integer(), sa.ForeignKey("notice.id"), nullable=False, index=True),
        sa.Column("campaign_code", sa.String(40), nullable=False, index=True),
        sa.Column("village_code", sa.String(40), nullable=False),
        sa.Column("step_key", sa.String(10), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dedupe_key", sa.String(400), nullable=False, unique=True),
        sa.Column("notice_id", sa.Integer(), sa.ForeignKey("notice.id"), nullable=False, index=True),
        sa.Column("campaign_code", sa.String(40), nullable=False, index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at"),
        _ts("lease_until"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("created_at", nullable=False),
        _ts("sent_at"),
    )
    op.create_index("ix_delivery_next_attempt_at", "delivery", ["next_attempt_at"])
    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("delivery.id"), nullable=False, index=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        _ts("at", nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    # APScheduler 3's SQLAlchemyJobStore table (its own layout), so the schema is complete
    # before the scheduler first starts.
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25), index=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    for table in ("apscheduler_jobs", "delivery_attempt", "delivery", "reminder_item", "notice"):
        op.drop_table(table)
