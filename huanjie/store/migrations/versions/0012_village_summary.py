"""each launched village's derived summary (the board's counts without reading every step row)

Revision ID: 0012_village_summary
Revises: 0005

Empty after the upgrade: villages without a row are derived from their steps and their row
written by ``huanjie.service.summaries.backfill`` (serve and the worker call it at start).
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_village_summary"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "village_summary",
        sa.Column("village_id", sa.Integer(), sa.ForeignKey("village.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id", ondelete="CASCADE"), nullable=False),
        sa.Column("present", sa.String(length=200), nullable=False),
        sa.Column("open_stages", sa.String(length=200), nullable=False),
        sa.Column("started", sa.String(length=200), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("awaiting", sa.Boolean(), nullable=False),
        sa.Column("rejected", sa.Boolean(), nullable=False),
        sa.Column("assessed", sa.String(length=20), nullable=True),
        sa.Column("open_dues", sa.String(), nullable=False),
    )
    op.create_index("ix_village_summary_campaign_id", "village_summary", ["campaign_id"])


def downgrade() -> None:
    op.drop_index("ix_village_summary_campaign_id", table_name="village_summary")
    op.drop_table("village_summary")
