"""overview links: a page link may belong to a representative (their own overview link)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("link_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("representative_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_link_token_representative_id", "representative", ["representative_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("link_token", schema=None) as batch_op:
        batch_op.drop_constraint("fk_link_token_representative_id", type_="foreignkey")
        batch_op.drop_column("representative_id")
