"""Incremental crawling (issue 5): the crawl_state table and what a run did, per outlet.

Revision ID: i5a
Revises: i4b
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aggregator.store.types import UTCDateTime

revision = "i5a"
down_revision = "i4b"
branch_labels = None
depends_on = None

_COUNTERS = ("stories_new", "reposts_attached", "pages_not_modified", "urls_skipped")
_MAPS = ("discovered", "by_outlet")


def upgrade() -> None:
    _create_crawl_state()
    # Runs recorded before this revision get zeros and empty maps.
    with op.batch_alter_table("crawl_runs") as batch:
        for name in _COUNTERS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        for name in _MAPS:
            batch.add_column(
                sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
            )


def _create_crawl_state() -> None:
    op.create_table(
        "crawl_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("found_via", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("lastmod", UTCDateTime(), nullable=True),
        sa.Column("published", UTCDateTime(), nullable=True),
        sa.Column("content_hash", sa.String(length=32), nullable=True),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_fetched", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outlet", "url", name="uq_crawl_state_outlet_url"),
    )
    op.create_index("ix_crawl_state_status", "crawl_state", ["outlet", "status"])


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        for name in (*_MAPS[::-1], *_COUNTERS[::-1]):
            batch.drop_column(name)
    op.drop_index("ix_crawl_state_status", table_name="crawl_state")
    op.drop_table("crawl_state")
