"""clients who are no longer clients: closed, then deleted when their retention ends

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "closed_by",
                sqlmodel.sql.sqltypes.AutoString(length=120),
                server_default="",
                nullable=False,
            )
        )
        batch_op.create_index(batch_op.f("ix_client_closed_at"), ["closed_at"], unique=False)
        # A closed client's number no longer blocks a new client with it (a recycled
        # number): the one-client-per-number rule holds for open clients only.
        batch_op.drop_constraint("uq_client_unit_phone", type_="unique")
    op.create_index(
        "uq_client_unit_phone",
        "client",
        ["unit_id", "phone"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )

    # A representative's own actions are audited as theirs ("representative"), not the
    # client's: the column grows from 10 characters.
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column(
            "actor_type",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=10),
            type_=sqlmodel.sql.sqltypes.AutoString(length=20),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute("UPDATE audit_event SET actor_type = 'client' WHERE actor_type = 'representative'")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column(
            "actor_type",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
            type_=sqlmodel.sql.sqltypes.AutoString(length=10),
            existing_nullable=False,
        )
    # Fails, as it should, while a closed client and an open one share a number.
    op.drop_index("uq_client_unit_phone", table_name="client")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_client_unit_phone", ["unit_id", "phone"])
        batch_op.drop_index(batch_op.f("ix_client_closed_at"))
        batch_op.drop_column("closed_by")
        batch_op.drop_column("closed_at")
