"""Publication dates from whatever the page offers, read with python-dateutil.

Sources, most to least trusted: meta tags, JSON-LD, ``<time datetime>`` in the
article, the byline text ("October 20, 2012 at 2:53 pm", "10/22/2012"), the URL
(``/2012/10/20/``). A date without a zone takes the outlet's time zone.
Comment sections are never read: their dates are the readers', not the author's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from dateutil import parser as dateparser
from lxml import html

_META_PUBLISHED = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.issued",
    "date",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "cxenseparse:recs:publishtime",
)
_META_UPDATED = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
    "article.updated",
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_TIME = r"(?:\s*(?:at|@|,|-|–)?\s*\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4}\b)?)?"
_BYLINE_DATE = re.compile(
    r"\b(?:"
    rf"{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{_TIME}"  # October 20, 2012 at 2:53 pm
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}{_TIME}"  # 20 October 2012
    rf"|\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?)?"  # 2012-10-20 14:53
    rf"|\d{{1,2}}/\d{{1,2}}/\d{{4}}{_TIME}"  # 10/22/2012
    r")",
    re.IGNORECASE,
)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])(?:/|$)")
_COMMENT_ANCESTOR = (
    "ancestor-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' comment')"
    " or starts-with(@id, 'comment') or @id='respond']"
)
_BYLINE_CONTAINERS = (
    "//*[contains(@class, 'entry-meta') or contains(@class, 'post-meta') or contains(@class, 'byline')"
    " or contains(@class, 'postmetadata') or contains(@class, 'dateline') or contains(@class, 'posted-on')"
    " or contains(@class, 'entry-date') or contains(@class, 'published') or contains(@class, 'date')"
    " or contains(@class, 'postdate') or contains(@class, 'post-info') or contains(@class, 'meta')]"
)
_EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PageDates:
    published: datetime | None = None
    updated: datetime | None = None
    source: str | None = None  # meta, json-ld, time, byline, url


def find_dates(tree: html.HtmlElement, url: str | None, tz: tzinfo = UTC) -> PageDates:
    """The page's publication (and update) date as aware UTC datetimes."""
    updated = _first(_meta_values(tree, _META_UPDATED), tz) or _first(
        _json_ld(tree, "dateModified"), tz
    )
    for source, candidates in (
        ("meta", _meta_values(tree, _META_PUBLISHED)),
        ("json-ld", _json_ld(tree, "datePublished")),
        ("time", _time_elements(tree)),
        ("byline", _byline_texts(tree)),
        ("url", _url_dates(url)),
    ):
        published = _first(candidates, tz)
        if published:
            return PageDates(
                published, updated if updated and updated >= published else None, source
            )
    return PageDates(updated=updated)


def parse_date(value: str, tz: tzinfo = UTC) -> datetime | None:
    """Parse one date string; naive results take ``tz``. None when it is not a date."""
    value = re.sub(r"\s+(?:at|@)\s+", " ", value.strip())
    if not value or not re.search(r"\d", value):
        return None
    try:
        parsed = dateparser.parse(value, fuzzy=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    parsed = parsed.astimezone(UTC)
    if (
        not _EARLIEST_PLAUSIBLE
        <= parsed
        <= datetime.now(UTC).replace(year=datetime.now(UTC).year + 1)
    ):
        return None
    return parsed


def _first(candidates: Iterator[str], tz: tzinfo) -> datetime | None:
    for candidate in candidates:
        parsed = parse_date(candidate, tz)
        if parsed:
            return parsed
    return None


def _meta_values(tree: html.HtmlElement, names: tuple[str, ...]) -> Iterator[str]:
    wanted = {name: rank for rank, name in enumerate(names)}
    found = []
    for meta in tree.iter("meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if name in wanted and meta.get("content"):
            found.append((wanted[name], meta.get("content")))
    for element in tree.xpath("//*[@itemprop]"):
        prop = element.get("itemprop", "").lower()
        if prop in wanted and element.tag != "meta":
            found.append((wanted[prop], element.get("datetime") or element.get("content") or ""))
    yield from (value for _, value in sorted(found, key=lambda pair: pair[0]))


def _json_ld(tree: html.HtmlElement, field: str) -> Iterator[str]:
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        yield from _walk_json(data, field)


def _walk_json(data: object, field: str) -> Iterator[str]:
    if isinstance(data, dict):
        value = data.get(field)
        if isinstance(value, str):
            yield value
        for child in data.values():
            if isinstance(child, dict | list):
                yield from _walk_json(child, field)
    elif isinstance(data, list):
        for item in data:
            yield from _walk_json(item, field)


def _time_elements(tree: html.HtmlElement) -> Iterator[str]:
    times = [t for t in tree.xpath("//time[@datetime]") if not t.xpath(_COMMENT_ANCESTOR)]
    times.sort(
        key=lambda t: (
            "published" not in (t.get("class") or "") and "entry-date" not in (t.get("class") or "")
        )
    )
    for element in times:
        yield element.get("datetime")


def _byline_texts(tree: html.HtmlElement) -> Iterator[str]:
    for container in tree.xpath(_BYLINE_CONTAINERS):
        if container.xpath(_COMMENT_ANCESTOR):
            continue
        text = " ".join(container.text_content().split())
        if len(text) > 400:
            continue  # a whole article section, not a byline
        match = _BYLINE_DATE.search(text)
        if match:
            yield match.group(0)


def _url_dates(url: str | None) -> Iterator[str]:
    match = _URL_DATE.search(url or "")
    if match:
        yield "-".join(match.groups())
