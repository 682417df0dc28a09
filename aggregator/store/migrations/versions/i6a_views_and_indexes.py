"""Views for the common questions, and the indexes they and the story filters use.

story_overview  each story with its canonical article, first/last publication, repost count
reposts         each repost with its story, outlet, date, similarity and credit line
article_tags    one row per tag or category of an article (JSON arrays unrolled)

Views are plain SQL here, not models (see aggregator/store/rawsql.py). The SQL
is the same on SQLite and PostgreSQL except for unrolling JSON arrays.

Revision ID: i6a
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "i6a"
down_revision = "0001"
branch_labels = None
depends_on = None

STORY_OVERVIEW = """
CREATE VIEW story_overview AS
SELECT s.id AS story_id,
       s.title AS title,
       s.first_published AS first_published,
       s.last_published AS last_published,
       (SELECT count(*) FROM articles r
         WHERE r.story_id = s.id AND r.id <> s.canonical_article_id) AS repost_count,
       o.key AS canonical_outlet,
       o.name AS canonical_outlet_name,
       c.id AS canonical_article_id,
       c.url AS canonical_url,
       c.title AS canonical_title,
       c.author AS canonical_author,
       c.published AS canonical_published,
       c.attribution_text AS canonical_credit_line,
       s.canonical_reason AS canonical_reason,
       s.updated_at AS updated_at
  FROM stories s
  JOIN articles c ON c.id = s.canonical_article_id
  JOIN outlets o ON o.id = c.outlet_id
"""

REPOSTS = """
CREATE VIEW reposts AS
SELECT r.story_id AS story_id,
       s.title AS story_title,
       r.id AS article_id,
       r.url AS url,
       r.title AS title,
       o.key AS outlet,
       o.name AS outlet_name,
       r.published AS published,
       r.date_source AS date_source,
       r.role AS role,
       r.similarity AS similarity,
       r.containment AS containment,
       r.attribution_text AS credit_line,
       r.attribution_outlet AS credited_outlet,
       r.attribution_author AS credited_author,
       r.attribution_url AS credited_url,
       c.id AS canonical_article_id,
       c.url AS canonical_url,
       co.key AS canonical_outlet,
       c.published AS canonical_published
  FROM articles r
  JOIN stories s ON s.id = r.story_id
  JOIN outlets o ON o.id = r.outlet_id
  JOIN articles c ON c.id = s.canonical_article_id
  JOIN outlets co ON co.id = c.outlet_id
 WHERE r.id <> s.canonical_article_id
"""

ARTICLE_TAGS = {
    "sqlite": """
CREATE VIEW article_tags AS
SELECT a.id AS article_id, 'category' AS kind, j.value AS name
  FROM articles a, json_each(a.categories) j
UNION ALL
SELECT a.id AS article_id, 'tag' AS kind, j.value AS name
  FROM articles a, json_each(a.tags) j
""",
    "postgresql": """
CREATE VIEW article_tags AS
SELECT a.id AS article_id, 'category' AS kind, j.value AS name
  FROM articles a CROSS JOIN LATERAL json_array_elements_text(a.categories) AS j(value)
UNION ALL
SELECT a.id AS article_id, 'tag' AS kind, j.value AS name
  FROM articles a CROSS JOIN LATERAL json_array_elements_text(a.tags) AS j(value)
""",
}


def upgrade() -> None:
    # --outlet filters and the views join articles to outlets; listings sort by first date.
    op.create_index("ix_articles_outlet", "articles", ["outlet_id"])
    op.create_index("ix_stories_first_published", "stories", ["first_published"])
    op.execute(STORY_OVERVIEW)
    op.execute(REPOSTS)
    op.execute(ARTICLE_TAGS[op.get_bind().dialect.name])


def downgrade() -> None:
    for view in ("article_tags", "reposts", "story_overview"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
    op.drop_index("ix_stories_first_published", table_name="stories")
    op.drop_index("ix_articles_outlet", table_name="articles")
