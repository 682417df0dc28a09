"""Export formats: one record per story, reposts nested (JSON) or in a linked CSV file.

Every writer consumes an iterator of story records (``queries.story_record``)
and keeps at most one batch of them, so an export's memory does not depend on
how many stories it writes. Parquet (``write_parquet``) needs the ``parquet``
extra (pyarrow), imported only when that format is asked for.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any, TextIO

from aggregator.errors import ExportError
from aggregator.records import (
    CANONICAL_FIELDS,
    CREDIT,
    CREDIT_PARTS,
    DATE,
    DATE_FIELDS,
    FLOAT,
    INT,
    LIST,
    REPOST_FIELDS,
    STORY_FIELDS,
    TEXT,
    Field,
)

FORMATS = ("jsonl", "json", "csv", "parquet")
BINARY_FORMATS = ("parquet",)

LIST_SEPARATOR = "; "
# CSV has no nesting: a credit line's parts become columns, named for a spreadsheet reader.
CREDIT_COLUMNS = dict(
    zip(
        CREDIT_PARTS,
        ("credit_line", "credited_outlet", "credited_author", "credited_url"),
        strict=True,
    )
)
_CANONICAL_RENAMED = {"title": "canonical_title"}  # the story's row has a title of its own


def _flat_columns(fields: Iterable[Field], renamed: dict[str, str] | None = None) -> list[str]:
    renamed = renamed or {}
    columns: list[str] = []
    for field in fields:
        if field.kind == CREDIT:
            columns += CREDIT_COLUMNS.values()
        else:
            columns.append(renamed.get(field.name, field.name))
    return columns


_CANONICAL_COLUMNS = _flat_columns(CANONICAL_FIELDS, _CANONICAL_RENAMED)
# The story's columns, then its canonical article's, the long text last.
STORY_COLUMNS = (
    *(f.name for f in STORY_FIELDS),
    *(c for c in _CANONICAL_COLUMNS if c != "text"),
    "text",
)
REPOST_COLUMNS = ("story_id", *_flat_columns(REPOST_FIELDS))


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write JSON Lines, one story per line; return how many stories were written."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def write_json(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write one JSON array, record by record (never the whole array in memory)."""
    count = 0
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_csv(
    records: Iterable[dict[str, Any]], out: IO[str], reposts_out: IO[str] | None = None
) -> int:
    """Write stories to ``out`` and their reposts to ``reposts_out``, linked by ``story_id``.

    CSV has no nesting: a story's row carries its canonical article (with the
    full text); each repost is a row of the second file. Lists (categories,
    tags) are joined with "; ". Text a spreadsheet would run as a formula is
    quoted (``spreadsheet_safe``).
    """
    stories = csv.DictWriter(out, STORY_COLUMNS, lineterminator="\n")
    stories.writeheader()
    reposts = None
    if reposts_out is not None:
        reposts = csv.DictWriter(reposts_out, REPOST_COLUMNS, lineterminator="\n")
        reposts.writeheader()
    count = 0
    for record in records:
        stories.writerow(_csv_row(story_row(record)))
        if reposts is not None:
            reposts.writerows(map(_csv_row, repost_rows(record)))
        count += 1
    return count


# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP, "CSV Injection"): "=HYPERLINK(...)" in a page title must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run, prefixed with ``'`` so it is shown as text (OWASP).

    >>> spreadsheet_safe("=HYPERLINK(A1)")
    "'=HYPERLINK(A1)"
    >>> spreadsheet_safe("North Korea"), spreadsheet_safe(-1)
    ('North Korea', -1)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """Cells safe from spreadsheets, with line breaks as "\n": the csv module quotes a cell
    holding "\n" but not one holding a bare "\r", which would end the row early."""
    return {key: _line_breaks(spreadsheet_safe(value)) for key, value in row.items()}


def _line_breaks(value: Any) -> Any:
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def story_row(record: dict[str, Any]) -> dict[str, Any]:
    """A story record flattened to the stories CSV's columns."""
    return {
        **{f.name: record[f.name] for f in STORY_FIELDS},
        **_flat(record["canonical"], CANONICAL_FIELDS, _CANONICAL_RENAMED),
    }


def repost_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """A story record's reposts as rows of the reposts CSV."""
    return [
        {"story_id": record["story_id"], **_flat(repost, REPOST_FIELDS)}
        for repost in record["reposts"]
    ]


def _flat(
    item: dict[str, Any], fields: Iterable[Field], renamed: dict[str, str] | None = None
) -> dict[str, Any]:
    """One level of a record as CSV cells: lists joined, the credit line spread over columns."""
    renamed = renamed or {}
    row: dict[str, Any] = {}
    for field in fields:
        value = item[field.name]
        if field.kind == CREDIT:
            credit = value or {}
            row.update({column: credit.get(part) for part, column in CREDIT_COLUMNS.items()})
        else:
            row[renamed.get(field.name, field.name)] = (
                LIST_SEPARATOR.join(value) if field.kind == LIST else value
            )
    return row


PARQUET_BATCH = 1_000


def write_parquet(records: Iterable[dict[str, Any]], out: Any) -> int:
    """Write Parquet (one row group per 1,000 stories) to a binary file object.

    Nested like the JSON records: ``canonical`` is a struct, ``reposts`` a list
    of structs; dates are UTC timestamps. Needs pyarrow (the ``parquet`` extra).
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'aggregator[parquet]'"
        ) from None
    schema = _parquet_schema(pa)
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(_with_datetimes(record))
            count += 1
            if len(batch) == PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return count


def _with_datetimes(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its ISO-8601 dates as datetimes, for Parquet's timestamp columns."""

    def convert(item: dict[str, Any]) -> dict[str, Any]:
        return {
            key: datetime.fromisoformat(value) if key in DATE_FIELDS and value else value
            for key, value in item.items()
        }

    return {
        **convert(record),
        "canonical": convert(record["canonical"]),
        "reposts": [convert(repost) for repost in record["reposts"]],
    }


def _parquet_schema(pa: Any) -> Any:
    text = pa.string()
    types = {
        TEXT: text,
        DATE: pa.timestamp("s", tz="UTC"),
        INT: pa.int64(),
        FLOAT: pa.float64(),
        LIST: pa.list_(text),
        CREDIT: pa.struct([(part, text) for part in CREDIT_PARTS]),
    }

    def columns(fields: Iterable[Field]) -> list[tuple[str, Any]]:
        return [(field.name, types[field.kind]) for field in fields]

    return pa.schema(
        [
            *columns(STORY_FIELDS),
            ("canonical", pa.struct(columns(CANONICAL_FIELDS))),
            ("reposts", pa.list_(pa.struct(columns(REPOST_FIELDS)))),
        ]
    )
