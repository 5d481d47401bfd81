"""complaints for managers: staff named managers, and texts only managers may see

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("manager", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("for_managers", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Texts already in an inbox keep their reader; only "asked how to complain" rows, which
    # told the case worker what the client was about to do, become the managers'.
    op.get_bind().execute(
        sa.text("UPDATE inbound_message SET for_managers = :yes WHERE intent = 'option_7'"),
        {"yes": True},
    )


def downgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_column("for_managers")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("manager")
