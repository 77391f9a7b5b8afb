"""accounts: password hashes with lockout, server-side web sessions, API tokens

Revision ID: 0008_accounts
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

import huanjie.store.types

revision = "0008_accounts"
down_revision = "0005"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, huanjie.store.types.AwareDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "user_credential",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), primary_key=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        _ts("changed_at", False),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        _ts("locked_until", True),
    )
    op.create_table(
        "web_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False, index=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        _ts("created_at", False),
        _ts("seen_at", False),
        _ts("ended_at", True),
    )
    op.create_table(
        "api_token",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False, index=True),
        sa.Column("label", sa.String(100), nullable=False, server_default=""),
        _ts("created_at", False),
        sa.Column("revoked", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_table("api_token")
    op.drop_table("web_session")
    op.drop_table("user_credential")
