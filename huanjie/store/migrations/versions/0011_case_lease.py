"""a lease on a case while a worker runs it: N workers never run the same case at once

Revision ID: 0011_case_lease
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

import huanjie.store.types

revision = "0011_case_lease"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("lease_until", huanjie.store.types.AwareDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
