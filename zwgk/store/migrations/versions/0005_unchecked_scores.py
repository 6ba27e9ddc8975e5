"""Frozen month scores of units that could not be checked (未能检查) have no score and no grade.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("score_snapshots", schema=None) as batch_op:
        batch_op.alter_column("score", existing_type=sa.Float(), nullable=True)
        batch_op.alter_column("grade", existing_type=sa.String(length=16), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("score_snapshots", schema=None) as batch_op:
        batch_op.alter_column("grade", existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column("score", existing_type=sa.Float(), nullable=False)
