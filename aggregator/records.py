"""The record shape, declared once: what a story, its canonical article and a repost carry.

``aggregator.queries`` builds the records from these fields, ``aggregator.export``
derives the CSV columns and the Parquet schema from them, and the JSON formats
write the records as they are. A field added here reaches every format.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from aggregator.extract.article import Attribution

TEXT, DATE, INT, FLOAT, LIST, CREDIT = "text", "date", "int", "float", "list", "credit"


@dataclass(frozen=True)
class Field:
    """One field of a record: its name, its kind, and the row attribute it is read from."""

    name: str
    kind: str = TEXT
    source: str = ""  # attribute path on the store's row, when it is not ``name``

    @property
    def attribute(self) -> str:
        return self.source or self.name


# A credit line's parts ("Source: X"), as extraction finds them: nested in JSON and
# Parquet, columns of their own in CSV.
CREDIT_PARTS = tuple(f.name for f in fields(Attribution))

STORY_FIELDS = (
    Field("story_id", INT, "id"),
    Field("title"),
    Field("canonical_reason"),
    Field("first_published", DATE),
    Field("last_published", DATE),
    Field("repost_count", INT),  # counted from the reposts, not stored
)
_ARTICLE_HEAD = (
    Field("url"),
    Field("outlet", source="outlet.key"),
    Field("outlet_name", source="outlet.name"),
    Field("title"),
    Field("author"),
    Field("published", DATE),
)
CANONICAL_FIELDS = (
    *_ARTICLE_HEAD,
    Field("updated", DATE),
    Field("date_source"),
    Field("language"),
    Field("site_name"),
    Field("word_count", INT),
    Field("categories", LIST),
    Field("tags", LIST),
    Field("text"),
    Field("attribution", CREDIT),
)
REPOST_FIELDS = (
    *_ARTICLE_HEAD,
    Field("date_source"),
    Field("role"),
    Field("similarity", FLOAT),
    Field("containment", FLOAT),
    Field("attribution", CREDIT),
)
DATE_FIELDS = frozenset(
    f.name for f in (*STORY_FIELDS, *CANONICAL_FIELDS, *REPOST_FIELDS) if f.kind == DATE
)
