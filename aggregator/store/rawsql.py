"""Names of the store's raw-SQL objects: views, the FTS5 index and its triggers.

They are written by hand in the migrations (``i6a``, ``i6b``), not declared as
models, because SQLAlchemy has no portable notion of a view, an FTS5 virtual
table or a trigger. Autogenerate comparisons (Alembic's ``compare_metadata``,
``tests/store/test_migrations.py``) would report them as tables to drop, so
``include_object`` leaves them out of the comparison by name.
"""

from __future__ import annotations

VIEWS = ("story_overview", "reposts", "article_tags")
# FTS5 keeps its index in shadow tables named after the virtual table.
FTS_TABLE = "articles_fts"
FTS_TRIGGERS = ("articles_fts_insert", "articles_fts_delete", "articles_fts_update")
# PostgreSQL's full-text index is an expression index: not expressible in the models.
PG_FULLTEXT_INDEX = "ix_articles_fulltext"
# The text-search configuration the index and the search filter share, so the planner uses the index.
PG_FULLTEXT_CONFIG = "simple"


def is_raw_object(name: str | None) -> bool:
    """Whether ``name`` is a view, FTS table, FTS shadow table or hand-written index."""
    if name is None:
        return False
    return name in VIEWS or name.startswith(FTS_TABLE) or name == PG_FULLTEXT_INDEX


def include_object(
    _object: object, name: str | None, _type: str, _reflected: bool, _compare_to: object
) -> bool:
    """Alembic ``include_object`` hook: compare tables and indexes, not raw-SQL objects."""
    return not is_raw_object(name)
