"""Dates are full dates or none, whatever the page prints; XHTML pages parse like HTML."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.discovery import parse_date as parse_source_date
from aggregator.extract import extract_page
from aggregator.extract.dates import parse_date


@pytest.mark.parametrize(
    "text",
    [
        "2012",
        "3",
        "Updated 5 hours ago",
        "October 2012",
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+01:00",
    ],
)
def test_partial_or_impossible_dates_are_not_dates(text: str) -> None:
    """dateutil would fill missing fields from today's date; the crawl day must not matter."""
    assert parse_date(text) is None
    assert parse_source_date(text) is None


def test_full_dates_still_parse() -> None:
    assert parse_date("October 20, 2012 at 2:53 pm") == datetime(2012, 10, 20, 14, 53, tzinfo=UTC)
    assert parse_source_date("Sat, 20 Oct 2012 18:53:05 +0000") == datetime(
        2012, 10, 20, 18, 53, 5, tzinfo=UTC
    )


def test_a_page_with_an_out_of_range_date_is_still_an_article() -> None:
    page = (
        '<html><head><meta property="article:published_time" content="9999-12-31T23:59:59-12:00">'
        "<title>Dates</title></head><body class='single single-post'><article class='post'>"
        "<h1 class='entry-title'>Dates</h1><div class='entry-content'>"
        + "".join(
            f"<p>Paragraph {n} of an article whose publisher got its date wrong.</p>"
            for n in range(5)
        )
        + "</div></article></body></html>"
    )
    result = extract_page(page, "http://x.test/2012/10/20/dates/")
    assert result.article is not None
    assert result.article.published == datetime(2012, 10, 20, tzinfo=UTC)  # from the URL
    assert result.article.date_source == "url"


def test_an_xhtml_page_with_an_xml_declaration_is_parsed() -> None:
    page = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>X</title></head>'
        "<body class='single single-post'><div class='post'><h1 class='entry-title'>X</h1>"
        "<div class='entry-content'>"
        + "".join(
            f"<p>An article served as XHTML, as old blog engines do, part {n}.</p>"
            for n in range(5)
        )
        + "</div></div></body></html>"
    )
    result = extract_page(page, "http://x.test/x/")
    assert result.article is not None, result.reason
    assert result.article.text.startswith("An article served as XHTML")
