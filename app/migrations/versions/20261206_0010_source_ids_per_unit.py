"""source ids per unit: a connected system's ids are unique within its unit, so another
unit's key with the same name neither collides with nor reaches them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Records that hang on a client: they carry the unit of the system that named them.
RECORDS = ("appointment", "checklist", "decision", "handover", "representative")


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_constraint("uq_client_source", type_="unique")
        batch_op.create_unique_constraint(
            "uq_client_source", ["unit_id", "source_system", "source_id"]
        )
    for table in RECORDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("source_unit_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_{table}_source_unit_id", "unit", ["source_unit_id"], ["id"]
            )
        # Ids written so far came from the system of the client's unit.
        op.execute(
            f"UPDATE {table} SET source_unit_id = (SELECT client.unit_id FROM client"
            f" WHERE client.id = {table}.client_id) WHERE source_id IS NOT NULL"
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_source", type_="unique")
            batch_op.create_unique_constraint(
                f"uq_{table}_source", ["source_unit_id", "source_system", "source_id"]
            )


def downgrade() -> None:
    for table in RECORDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_source", type_="unique")
            batch_op.create_unique_constraint(f"uq_{table}_source", ["source_system", "source_id"])
            batch_op.drop_constraint(f"fk_{table}_source_unit_id", type_="foreignkey")
            batch_op.drop_column("source_unit_id")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_constraint("uq_client_source", type_="unique")
        batch_op.create_unique_constraint("uq_client_source", ["source_system", "source_id"])
