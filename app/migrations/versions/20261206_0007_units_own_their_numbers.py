"""units own their numbers: a client's phone is unique within a unit, unknown texts and
callbacks belong to the unit whose number they reached; representatives can be removed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 17:17:40.762889
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's copy of the old constraint has no name: batch mode names it by this convention.
UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_phone_constraint() -> str:
    return "client_phone_key" if op.get_bind().dialect.name == "postgresql" else "uq_client_phone"


def upgrade() -> None:
    for table in ("callback_request", "inbound_message"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_unit_id"), ["unit_id"], unique=False)
            batch_op.create_foreign_key(f"fk_{table}_unit_id", "unit", ["unit_id"], ["id"])

    with op.batch_alter_table("client", schema=None, naming_convention=UNNAMED) as batch_op:
        batch_op.drop_constraint(_old_phone_constraint(), type_="unique")
        batch_op.create_index(batch_op.f("ix_client_phone"), ["phone"], unique=False)
        batch_op.create_unique_constraint("uq_client_unit_phone", ["unit_id", "phone"])

    with op.batch_alter_table("representative", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", app.models.base.UTCDateTime(), nullable=True))

    # Texts and callbacks already stored belong to their client's unit, or to the unit
    # whose number they reached.
    op.execute(
        "UPDATE inbound_message SET unit_id = (SELECT client.unit_id FROM client"
        " WHERE client.id = inbound_message.client_id) WHERE client_id IS NOT NULL"
    )
    op.execute(
        "UPDATE inbound_message SET unit_id = (SELECT unit.id FROM unit"
        " WHERE unit.phone = inbound_message.to_phone"
        " OR unit.phone_menu_number = inbound_message.to_phone ORDER BY unit.id LIMIT 1)"
        " WHERE client_id IS NULL"
    )
    op.execute(
        "UPDATE callback_request SET unit_id = (SELECT client.unit_id FROM client"
        " WHERE client.id = callback_request.client_id) WHERE client_id IS NOT NULL"
    )
    # Removed representatives so far were those with every copy off and opted out by staff.
    op.execute(
        "UPDATE representative SET removed_at = opted_out_at WHERE opted_out_at IS NOT NULL"
        " AND NOT copy_appointments AND NOT copy_documents AND NOT copy_decisions"
        " AND NOT copy_handovers"
    )


def downgrade() -> None:
    with op.batch_alter_table("representative", schema=None) as batch_op:
        batch_op.drop_column("removed_at")

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_constraint("uq_client_unit_phone", type_="unique")
        batch_op.drop_index(batch_op.f("ix_client_phone"))
        batch_op.create_unique_constraint(_old_phone_constraint(), ["phone"])

    for table in ("inbound_message", "callback_request"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_unit_id", type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_unit_id"))
            batch_op.drop_column("unit_id")
