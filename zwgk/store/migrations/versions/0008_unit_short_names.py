"""Units' short names from the registry (what the index search also finds a unit by).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("units")}
    if "short_names" in columns:
        return  # a database made by create_all from a newer schema.py already has it
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("short_names", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.drop_column("short_names")
