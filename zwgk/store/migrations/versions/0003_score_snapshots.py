"""Score snapshots: frozen month-end unit scores (with the scoring file's sha256 and version);
an index on finding_events.on for the score reads of a date.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("score_snapshots"):
        op.create_table(
            "score_snapshots",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("as_of", sa.Date(), nullable=False),
            sa.Column("portal_id", sa.String(length=64), nullable=False),
            sa.Column("unit_id", sa.String(length=64), nullable=False),
            sa.Column("score", sa.Float(), nullable=False),
            sa.Column("grade", sa.String(length=16), nullable=False),
            sa.Column("veto", sa.Boolean(), nullable=False),
            sa.Column("scoring_sha", sa.String(length=64), nullable=False),
            sa.Column("scoring_version", sa.Integer(), nullable=True),
            sa.Column("computed_at", sa.DateTime(), nullable=False),
            sa.Column("data", sa.JSON(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("as_of", "portal_id", "unit_id"),
        )
    if "ix_finding_events_on" not in {ix["name"] for ix in inspector.get_indexes("finding_events")}:
        with op.batch_alter_table("finding_events", schema=None) as batch_op:
            batch_op.create_index("ix_finding_events_on", ["on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("finding_events", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_events_on")
    op.drop_table("score_snapshots")
