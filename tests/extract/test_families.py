"""Extraction by page family, credit form, listing kind and bad input, on the golden corpus (issue 3)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from aggregator.extract import ExtractOptions, extract_article, extract_page
from aggregator.extract.dates import parse_date

from .corpus import golden_pages

PAGES = {page.name: page for page in golden_pages()}


def article(name: str):
    result = PAGES[name].extract()
    assert result.article is not None, (result.reason, result.detail)
    return result.article


@pytest.mark.parametrize(
    ("name", "outlet", "author", "url"),
    [
        ("wpcom-htw-cfr-repost", "Council on Foreign Relations", None, "http://demo.test/cfr/"),
        ("wpcom-htw-isn-repost", "ISN Blog", None, "http://isnblog.ethz.ch/"),
        ("wp-rrm-opinion", None, "Evan Jones", None),
        ("wp-kubrick-repost-originally", "The Korea Times", None, "http://www.koreatimes.co.kr/"),
        ("blogger-repost-via", "ISN Blog", None, "http://isnblog.ethz.ch/"),
        (
            "drupal7-repost-first-appeared",
            "Asia Unbound",
            "Scott A. Snyder",
            "http://blogs.cfr.org/",
        ),
        ("news-repost-reprinted", "Asia Pacific Refugee Rights Network", None, None),
    ],
)
def test_each_credit_form_becomes_data_and_leaves_the_text(
    name: str, outlet: str | None, author: str | None, url: str | None
) -> None:
    got = article(name)
    credit = got.attribution
    assert (credit.outlet, credit.author) == (outlet, author)
    assert (credit.url or "").startswith(url or "") and (credit.url is None) == (url is None)
    assert credit.text not in got.text
    assert got.text.split("\n")[-1] != credit.text


@pytest.mark.parametrize(
    ("name", "reason", "detail"),
    [
        ("listing-wpcom-tag", "listing", "tag archive"),
        ("listing-wpcom-tag-paged", "listing", "tag archive"),
        ("listing-blogger-label", "listing", "tag archive"),
        ("listing-wpcom-category", "listing", "category archive"),
        ("listing-drupal-taxonomy", "listing", "category archive"),
        ("listing-wpcom-date", "listing", "date archive"),
        ("listing-blogger-archive", "listing", "date archive"),
        ("listing-wpcom-home", "listing", "home page"),
        ("listing-drupal-front", "listing", "home page"),
        ("listing-wpcom-paged", "listing", "paginated index"),
        ("listing-drupal-paged", "listing", "paginated index"),
        ("listing-news-paged", "listing", "paginated index"),
        ("listing-news-section", "listing", "index"),
        ("search-wp-results", "search_results", "search"),
        ("search-wp-no-results", "search_results", "search"),
        ("attachment-wp", "attachment", "attachment"),
        ("notfound-wpcom-404", "not_found", "error404"),
        ("soft404-blogger", "soft_404", "does not exist"),
        ("soft404-news", "soft_404", "Page not found"),
        ("commentfeed-wp", "comment_feed", "comment feed"),
        ("feed-wpcom", "feed", "feed"),
    ],
)
def test_each_non_article_kind_is_dropped_with_its_reason(
    name: str, reason: str, detail: str
) -> None:
    result = PAGES[name].extract()
    assert result.article is None
    assert result.reason == reason
    assert detail in result.detail


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "empty"),
        ("  \n\t ", "empty"),
        ("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not_html"),
        ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_html"),
        ('{"id": 57, "title": {"rendered": "x"}}', "not_html"),
        ("just some plain text, no markup at all", "not_html"),
        (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>',
            "not_html",
        ),
        (
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>',
            "feed",
        ),
        ("<html><body><p>Too few words here.</p></body></html>", "too_short"),
        ("<html><body></body></html>", "too_short"),
    ],
)
def test_bad_input_is_dropped_with_a_reason_not_a_traceback(body: str, reason: str) -> None:
    assert extract_page(body, "http://example.org/2012/10/20/post/").reason == reason


def test_wordpress_com_in_german_and_french_keeps_no_widget_text() -> None:
    for name, widgets in {
        "wpcom-de-article": ("Gefällt mir", "Teilen mit", "Kommentar verfassen", "Bloggern"),
        "wpcom-fr-article": ("J’aime", "Partager", "Laisser un commentaire", "blogueurs"),
    }.items():
        got = article(name)
        assert not [w for w in widgets if w in got.text], name
        assert got.language == name.split("-")[1]
        assert got.published is not None and got.tags == ("debian",)


def test_nothing_of_the_article_is_lost() -> None:
    listing = article("wp-twentytwelve-list-and-comments").text.split("\n")
    assert "How does the Python version numbering scheme work?" in listing, "subhead"
    assert sum(line.startswith("- ") for line in listing) == 6, "both lists, every item"
    quotes = article("wp-twentytwenty-quotes-two-authors").text
    assert "I had extensive experience with implementing an interpreted language" in quotes
    assert "In February 1991, after just over a year of development" in quotes
    assert "Image by Joseph A Ferris III" not in article("blogger-repost-via").text, "a caption"
    assert article("news-jsonld-standfirst").text.startswith("The latest Python source")
    short = article("wp-short-article")
    assert 25 <= short.word_count < 60


def test_a_long_comment_thread_stays_out_and_its_dates_are_never_taken() -> None:
    got = article("wp-twentyten-long-comment-thread")
    assert got.date_source == "byline"
    # "October 20, 2012" in Chicago; the comments are dated October 21 to 23.
    assert got.published == datetime(2012, 10, 20, 5, 0, tzinfo=UTC)
    assert "Daniel K." not in got.text and "says:" not in got.text


def test_a_date_printed_only_in_a_comment_is_not_the_articles() -> None:
    paragraph = "<p>" + "A paragraph of the article with enough words to count. " * 5 + "</p>"
    page = (
        "<html><body class='single'><div class='entry-content'>" + paragraph + "</div>"
        "<ol class='commentlist'><li class='comment'><time datetime='2013-01-02T10:00:00Z'>"
        "January 2, 2013</time><div class='comment-meta'>January 2, 2013 at 10:00 am</div>"
        "<p itemprop='datePublished' content='2013-01-02'>Nice.</p></li></ol></body></html>"
    )
    got = extract_article(page, "http://example.org/posts/undated")
    assert got is not None and got.published is None


def test_several_authors_and_the_updated_date() -> None:
    got = article("wp-twentytwenty-quotes-two-authors")
    assert got.authors == ("Clara Oyelaran", "Jonas Berg")
    assert got.author == "Clara Oyelaran and Jonas Berg"
    assert got.updated == datetime(2020, 6, 16, 6, 0, tzinfo=UTC)
    assert got.date_source == "json-ld"


@pytest.mark.parametrize(
    ("printed", "zone", "expected"),
    [
        ("October 20, 2012 at 2:53 pm", "America/New_York", datetime(2012, 10, 20, 18, 53)),
        ("10/22/2012", "America/New_York", datetime(2012, 10, 22, 4, 0)),
        ("Sat, 10/20/2012 - 14:53", "Europe/Amsterdam", datetime(2012, 10, 20, 12, 53)),
        ("3. November 2012 um 14:40", "Europe/Berlin", datetime(2012, 11, 3, 13, 40)),
        ("15 janvier 2013 à 10 h 05", "Europe/Paris", datetime(2013, 1, 15, 9, 5)),
        ("2012-10-20T14:53:00-04:00", "Asia/Seoul", datetime(2012, 10, 20, 18, 53)),
    ],
)
def test_byline_dates_in_three_languages_take_the_outlet_zone(
    printed: str, zone: str, expected: datetime
) -> None:
    assert parse_date(printed, ZoneInfo(zone)) == expected.replace(tzinfo=UTC)


def test_a_long_paragraph_that_starts_like_chrome_is_kept() -> None:
    sentence = (
        "Posted in 2012 to the United Nations, the report found that refugees were returned. "
    )
    page = f"<html><body class='single'><div class='entry-content'><p>{sentence * 4}</p></div></body></html>"
    got = extract_article(page, "http://example.org/2012/10/20/report/", ExtractOptions())
    assert got is not None and got.text.startswith("Posted in 2012")
