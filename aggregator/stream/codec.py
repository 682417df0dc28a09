"""A crawl's change as a Redis Stream entry: ``{"kind": "state" | "article", "data": JSON}``
(and the run's notes, ``"kind": "run"``: ``aggregator.stream.runlog``).

Explicit JSON of the fields, not pickle: whoever can write to the stream must
not be able to run code in the writer. Dates travel as ISO-8601 text with
their offset; an entry that does not decode raises ``EntryError`` naming the
entry and the field.

    >>> from datetime import UTC, datetime
    >>> from aggregator.extract import Article
    >>> write = ArticleWrite("htw", Article("https://a.example/1/", "T", "text"),
    ...                      datetime(2024, 5, 1, tzinfo=UTC))
    >>> decode("1-0", encode(write)) == write
    True
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from aggregator.batches import ArticleWrite, Change, StateChange
from aggregator.crawlstate import UrlState
from aggregator.errors import EntryError
from aggregator.extract import Article
from aggregator.extract.article import Attribution
from aggregator.stream.runlog import RunNote, decode_note

STREAM = "aggregator:writes"  # the stream's key in Redis
_URL_DATES = ("first_seen", "lastmod", "published", "last_fetched")
_ARTICLE_DATES = ("published", "updated")
_ARTICLE_TUPLES = ("categories", "tags", "authors")


def encode(change: Change) -> dict[str, str]:
    """The entry's fields for XADD."""
    if isinstance(change, StateChange):
        data: dict[str, Any] = {
            "outlet": change.outlet,
            "inserts": [_url_state(s) for s in change.inserts],
            "updates": [_url_state(s) for s in change.updates],
        }
        return {"kind": "state", "data": json.dumps(data)}
    article = asdict(change.article)
    for name in _ARTICLE_DATES:
        article[name] = _iso(article[name])
    data = {
        "outlet": change.outlet,
        "article": article,
        "fetched_at": change.fetched_at.isoformat(),
        "states": [[_url_state(s), new] for s, new in change.states],
    }
    return {"kind": "article", "data": json.dumps(data)}


def decode(entry_id: str, fields_: dict[Any, Any]) -> Change | RunNote:
    """The change (or note) an entry carries; ``EntryError`` naming ``entry_id`` when none."""
    text = {_text(k): _text(v) for k, v in fields_.items()}
    try:
        data = json.loads(text["data"])
        if text["kind"] == "state":
            return StateChange(
                data["outlet"],
                [_read_state(s) for s in data["inserts"]],
                [_read_state(s) for s in data["updates"]],
            )
        if text["kind"] == "article":
            return ArticleWrite(
                data["outlet"],
                _read_article(data["article"]),
                datetime.fromisoformat(data["fetched_at"]),
                [(_read_state(s), bool(new)) for s, new in data["states"]],
            )
        if text["kind"] == "run":
            return decode_note(data)
        raise EntryError(f"stream entry {entry_id}: unknown kind {text['kind']!r}")
    except (KeyError, TypeError, ValueError) as exc:
        raise EntryError(f"stream entry {entry_id}: {type(exc).__name__}: {exc}") from None


def _url_state(state: UrlState) -> dict[str, Any]:
    values = asdict(state)
    for name in _URL_DATES:
        values[name] = _iso(values[name])
    return values


def _read_state(values: dict[str, Any]) -> UrlState:
    values = dict(values)
    for name in _URL_DATES:
        values[name] = _date(values.get(name))
    return UrlState(**values)


def _read_article(values: dict[str, Any]) -> Article:
    values = dict(values)
    for name in _ARTICLE_DATES:
        values[name] = _date(values.get(name))
    for name in _ARTICLE_TUPLES:
        values[name] = tuple(values.get(name) or ())
    credit = values.get("attribution")
    values["attribution"] = Attribution(**credit) if credit else None
    known = {f.name for f in fields(Article)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown article fields {sorted(unknown)}")
    return Article(**values)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
