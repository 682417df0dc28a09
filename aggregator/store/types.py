"""Column types: dates stored as ISO-8601 UTC text in SQLite (readable in any client),
as ``timestamptz`` in PostgreSQL; always aware UTC datetimes in Python."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # what iso() writes for a whole-second UTC date


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime, normalised to UTC; naive datetimes are refused."""

    impl = String(20)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(String(20))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> object:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: aggregator stores aware datetimes only")
        value = value.astimezone(UTC).replace(microsecond=0)
        return value if dialect.name == "postgresql" else value.strftime(ISO_FORMAT)

    def process_result_value(self, value: object, dialect: Dialect) -> datetime | None:
        return stored_datetime(value)


def stored_datetime(value: object) -> datetime | None:
    """A stored date as an aware UTC datetime, from the driver's datetime or SQLite's text.

    Aggregates such as ``min()`` and ``max()`` over a date column can bypass the column
    type on SQLite and hand back the stored ISO text; this reads both.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """ISO-8601 UTC with a ``Z``, the way the store, every export and ``--json`` write dates."""
    return value.isoformat().replace("+00:00", "Z") if value else None
