"""The first schema: outlets, articles, stories, article links, signatures, crawl runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aggregator.store.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outlets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("platform", sa.String(length=30), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    # stories and articles point at each other: the canonical-article key is added last.
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canonical_article_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("canonical_reason", sa.Text(), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("first_published", UTCDateTime(), nullable=True),
        sa.Column("last_published", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), sa.ForeignKey("outlets.id"), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("published", UTCDateTime(), nullable=True),
        sa.Column("updated", UTCDateTime(), nullable=True),
        sa.Column("date_source", sa.String(length=30), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=32), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("site_name", sa.Text(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("attribution_outlet", sa.Text(), nullable=True),
        sa.Column("attribution_author", sa.Text(), nullable=True),
        sa.Column("attribution_url", sa.Text(), nullable=True),
        sa.Column("attribution_text", sa.Text(), nullable=True),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.Column("story_id", sa.Integer(), sa.ForeignKey("stories.id"), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("similarity", sa.Double(), nullable=True),
        sa.Column("containment", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_index("ix_articles_story", "articles", ["story_id"])
    with op.batch_alter_table("stories") as batch:
        batch.create_foreign_key(
            "fk_stories_canonical_article", "articles", ["canonical_article_id"], ["id"]
        )
    op.create_table(
        "article_links",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("article_in_other", sa.Double(), nullable=False),
        sa.Column("other_in_article", sa.Double(), nullable=False),
        sa.Column("jaccard", sa.Double(), nullable=False),
        sa.Column("shared_shingles", sa.Integer(), nullable=False),
        sa.CheckConstraint("article_id < other_id", name="ck_article_links_ordered"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "other_id"),
    )
    op.create_index("ix_article_links_other", "article_links", ["other_id"])
    op.create_table(
        "signatures",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("shingle_size", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id"),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlets", sa.JSON(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("finish_reason", sa.String(length=100), nullable=True),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("articles_new", sa.Integer(), nullable=False),
        sa.Column("articles_updated", sa.Integer(), nullable=False),
        sa.Column("articles_unchanged", sa.Integer(), nullable=False),
        sa.Column("drops", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("crawl_runs")
    op.drop_table("signatures")
    op.drop_table("article_links")
    with op.batch_alter_table("stories") as batch:
        batch.drop_constraint("fk_stories_canonical_article", type_="foreignkey")
    op.drop_table("articles")
    op.drop_table("stories")
    op.drop_table("outlets")
