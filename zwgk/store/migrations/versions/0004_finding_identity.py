"""Finding identity by subject: findings record which identity their fingerprint was made with.

Rows from before this revision have none; the next check re-keys them to the identity of what
they are about (zwgk/findings/lifecycle.py rekey), closing and reopening nothing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("findings")}
    if "identity_version" not in columns:
        with op.batch_alter_table("findings", schema=None) as batch_op:
            batch_op.add_column(sa.Column("identity_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("identity_version")
