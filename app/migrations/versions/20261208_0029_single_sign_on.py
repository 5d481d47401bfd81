"""single sign-on: staff matched to the identity provider's subject; units that let unknown staff join

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sso_issuer", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sso_subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )
        batch_op.create_unique_constraint("uq_staff_sso_subject", ["sso_issuer", "sso_subject"])
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sso_lets_staff_join", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("sso_lets_staff_join")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_constraint("uq_staff_sso_subject", type_="unique")
        batch_op.drop_column("sso_subject")
        batch_op.drop_column("sso_issuer")
