"""documents: rendered documents with their hashes, 文号 counters

Revision ID: 0004
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import huanjie.store.types

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_number_counter",
        sa.Column("issuer", sa.String(200), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    op.create_table(
        "rendered_document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), nullable=False, index=True),
        sa.Column("village_id", sa.Integer(), sa.ForeignKey("village.id"), nullable=False, index=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("step_key", sa.String(10), nullable=False),
        sa.Column("code", sa.String(4), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("number", sa.String(80), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("docx_sha256", sa.String(64), nullable=False),
        sa.Column("html_sha256", sa.String(64), nullable=False),
        sa.Column("docx", sa.LargeBinary(), nullable=False),
        sa.Column("html", sa.LargeBinary(), nullable=False),
        sa.Column("rendered_at", huanjie.store.types.AwareDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("case_id", "step_key", "code", "attempt"),
    )


def downgrade() -> None:
    op.drop_table("rendered_document")
    op.drop_table("document_number_counter")
