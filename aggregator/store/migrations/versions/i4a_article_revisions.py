"""Article revisions: the earlier texts of articles whose text changed (issue 4).

Revision ID: i4a
Revises: i6b
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aggregator.store.types import UTCDateTime

revision = "i4a"
down_revision = "i6b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_revisions",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=32), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("published", UTCDateTime(), nullable=True),
        sa.Column("updated", UTCDateTime(), nullable=True),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.Column("replaced_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "revision"),
    )


def downgrade() -> None:
    op.drop_table("article_revisions")
