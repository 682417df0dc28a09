"""Signatures keep the whole-text MinHash (LeanMinHash bytes) with its num_perm and seed.

Revision ID: i4b
Revises: i4a
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i4b"
down_revision = "i4a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get null: the next crawl or `aggregator dedup --rebuild` sketches them.
    with op.batch_alter_table("signatures") as batch:
        batch.add_column(sa.Column("num_perm", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("seed", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("minhash", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signatures") as batch:
        batch.drop_column("minhash")
        batch.drop_column("seed")
        batch.drop_column("num_perm")
