"""Publication dates from whatever the page offers, read with python-dateutil.

Sources, most to least trusted: meta tags, JSON-LD, ``<time datetime>`` in the
article, the byline text ("October 20, 2012 at 2:53 pm", "10/22/2012"), the URL
(``/2012/10/20/``). A date without a zone takes the outlet's time zone.
Comment sections are never read: their dates are the readers', not the author's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from dateutil import parser as dateparser
from lxml import etree, html

from aggregator.extract import finders
from aggregator.extract.content import IN_COMMENTS
from aggregator.extract.elements import Elements
from aggregator.extract.jsonld import JsonLd

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
_MONTH_NAMES = (
    ("jan", "january", "januar", "janvier", "jänner"),
    ("feb", "february", "februar", "février", "fevrier"),
    ("mar", "march", "märz", "maerz", "mars"),
    ("apr", "april", "avril"),
    ("may", "mai"),
    ("jun", "june", "juni", "juin"),
    ("jul", "july", "juli", "juillet"),
    ("aug", "august", "août", "aout"),
    ("sep", "sept", "september", "septembre"),
    ("oct", "october", "oktober", "octobre", "okt"),
    ("nov", "november", "novembre"),
    ("dec", "december", "dezember", "décembre", "decembre", "dez", "déc"),
)
_WEEKDAY_NAMES = (
    ("mon", "monday", "montag", "lundi"),
    ("tue", "tuesday", "dienstag", "mardi"),
    ("wed", "wednesday", "mittwoch", "mercredi"),
    ("thu", "thursday", "donnerstag", "jeudi"),
    ("fri", "friday", "freitag", "vendredi"),
    ("sat", "saturday", "samstag", "samedi", "sonnabend"),
    ("sun", "sunday", "sonntag", "dimanche"),
)


class _Names(dateparser.parserinfo):
    """dateutil's English names plus the German and French ones WordPress.com bylines print."""

    MONTHS = [tuple(names) for names in _MONTH_NAMES]  # noqa: RUF012 (dateutil's API)
    WEEKDAYS = [tuple(names) for names in _WEEKDAY_NAMES]  # noqa: RUF012
    JUMP = [*dateparser.parserinfo.JUMP, "um", "uhr", "à", "le", "den", "am"]  # noqa: RUF012


_PARSER_INFO = _Names()
_MONTHS = (
    r"(?:" + "|".join(sorted({n for m in _MONTH_NAMES for n in m}, key=len, reverse=True)) + r")\.?"
)
_TIME = (
    r"(?:\s*(?:at|@|,|-|–|um|à)?\s*\d{1,2}(?:[:.]|\s?h\s?)\d{2}(?:[:.]\d{2})?"
    r"\s*(?:[ap]\.?m\.?|uhr)?(?:\s*[A-Z]{3,4}\b(?<!\bin))?)?"
)
_BYLINE_DATE = re.compile(
    r"\b(?:"
    rf"{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{_TIME}"  # October 20, 2012 at 2:53 pm
    rf"|\d{{1,2}}(?:st|nd|rd|th|er)?\.?\s+{_MONTHS},?\s+\d{{4}}{_TIME}"  # 20. Oktober 2012 um 14:53
    rf"|\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?)?"  # 2012-10-20 14:53
    rf"|\d{{1,2}}/\d{{1,2}}/\d{{4}}{_TIME}"  # 10/22/2012
    r")",
    re.IGNORECASE,
)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])(?:/|$)")
_TIMES = etree.XPath("//time[@datetime] | //abbr[contains(@class, 'published')][@title]")
_UPDATED_TIMES = etree.XPath("//time[contains(@class, 'updated')][@datetime]")
_EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
_LATEST_AHEAD = timedelta(days=366)  # a page dated a year ahead is misdated, not early
_PROBE_DEFAULTS = (datetime(1904, 2, 2), datetime(1905, 3, 3))
_PUBLISHED_CLASSES = frozenset(["published", "entry-date", "dt-published"])


@dataclass(frozen=True)
class PageDates:
    published: datetime | None = None
    updated: datetime | None = None
    source: str | None = None  # meta, json-ld, time, byline, url


def find_dates(
    tree: html.HtmlElement,
    url: str | None,
    tz: tzinfo = UTC,
    ld: JsonLd | None = None,
    elements: Elements | None = None,
) -> PageDates:
    """The page's publication (and update) date as aware datetimes.

    Each keeps the offset the page printed (the outlet's zone where it printed
    none), so its ``.date()`` is the day the page shows; the store keeps UTC. In
    UTC a "2025-12-18T20:04:00-05:00" article would read as published the 19th:
    on wcxb-dev ten article pages' days were wrong that way (issue 9).
    """
    ld = ld if ld is not None else JsonLd.from_tree(tree)
    elements = elements if elements is not None else Elements(tree)
    updated = (
        _first(_meta_values(tree, elements, _META_UPDATED), tz)
        or _first(iter(ld.strings("dateModified")), tz)
        or _first(_attributes(_UPDATED_TIMES(tree), "datetime"), tz)
    )
    for source, candidates in (
        ("meta", _meta_values(tree, elements, _META_PUBLISHED)),
        ("json-ld", iter(ld.strings("datePublished"))),
        ("time", _time_elements(tree)),
        ("byline", _byline_texts(elements)),
        ("url", _url_dates(url)),
    ):
        published = _first(candidates, tz)
        if published:
            return PageDates(
                published, updated if updated and updated > published else None, source
            )
    return PageDates(updated=updated)


def parse_date(value: str, tz: tzinfo = UTC, fuzzy: bool = True) -> datetime | None:
    """Parse one date string; naive results take ``tz``. None when it is not a full date.

    dateutil fills the fields a text lacks from a default date (today, unless told
    otherwise), so "2012" or "5 hours ago" would become a date that depends on the
    day of the crawl. The text is parsed with two defaults that differ in year,
    month and day: if the results differ, a field was missing and there is no date.
    """
    value = _normalise(value)
    if not value or not re.search(r"\d", value):
        return None
    try:
        first, second = (
            dateparser.parse(value, parserinfo=_PARSER_INFO, fuzzy=fuzzy, default=default)
            for default in _PROBE_DEFAULTS
        )
        if first.date() != second.date():
            return None
        parsed = first if first.tzinfo else first.replace(tzinfo=tz)
        instant = parsed.astimezone(UTC)  # overflows at the ends of the calendar
    except (ValueError, OverflowError, TypeError):
        return None
    if not _EARLIEST_PLAUSIBLE <= instant <= datetime.now(UTC) + _LATEST_AHEAD:
        return None
    return parsed


def _normalise(value: str) -> str:
    """What dateutil does not read: "20. Oktober", "1er octobre", "14 h 53", "at 2:53 pm"."""
    value = " ".join(value.split())
    value = re.sub(r"\b(\d{1,2})(?:\.|er)\s+(?=[^\W\d])", r"\1 ", value)
    value = re.sub(r"\b(\d{1,2})\s?h\s?(\d{2})\b", r"\1:\2", value)
    return re.sub(r"\s+(?:at|@|um|à)\s+", " ", value)


def _first(candidates: Iterator[str | None], tz: tzinfo) -> datetime | None:
    for candidate in candidates:
        if not candidate:
            continue  # <time datetime=""> and empty meta tags name no date
        parsed = parse_date(candidate, tz)
        if parsed:
            return parsed
    return None


def _meta_values(
    tree: html.HtmlElement, elements: Elements, names: tuple[str, ...]
) -> Iterator[str]:
    wanted = {name: rank for rank, name in enumerate(names)}
    found = []
    for meta in tree.iter("meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if name in wanted and meta.get("content") and not IN_COMMENTS(meta):
            found.append((wanted[name], meta.get("content")))
    for element in elements.where(lambda m: bool(m.itemprop) and m.tag != "meta"):
        prop = element.get("itemprop", "").lower()
        if prop in wanted and not IN_COMMENTS(element):
            value = element.get("datetime") or element.get("content") or element.get("title")
            found.append((wanted[prop], value or element.text_content()))
    yield from (value for _, value in sorted(found, key=lambda pair: pair[0]))


def _attributes(elements: list[html.HtmlElement], name: str) -> Iterator[str | None]:
    for element in elements:
        if not IN_COMMENTS(element):
            yield element.get(name)


def _time_elements(tree: html.HtmlElement) -> Iterator[str | None]:
    """``<time datetime>`` (and Blogger's ``<abbr class="published" title>``), published first.

    A ``<time class="updated">`` alone is the modification date, not the publication.
    """
    times = []
    for element in _TIMES(tree):
        classes = set((element.get("class") or "").split())
        if IN_COMMENTS(element) or ("updated" in classes and not classes & _PUBLISHED_CLASSES):
            continue
        times.append((not classes & _PUBLISHED_CLASSES, element))
    times.sort(key=lambda pair: pair[0])
    for _, element in times:
        yield element.get("datetime") or element.get("title")


def _byline_texts(elements: Elements) -> Iterator[str]:
    for container in finders.dateline_containers(elements):
        if IN_COMMENTS(container):
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
