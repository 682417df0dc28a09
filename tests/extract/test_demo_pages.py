"""Extraction on each page family of the demo site: the article, all of it, and nothing else."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from aggregator.demo import DEMO_SITE
from aggregator.extract import extract_article, extract_page
from aggregator.extract.attribution import parse_credit
from aggregator.extract.chrome import LEAK_PHRASES

from ..helpers import (
    CFR_ORIGINAL,
    DEMO_ROOT,
    HTW_CFR_REPOST,
    NEW_YORK,
    RRM_OPINION,
    demo_page,
)

# Single posts: every page of the demo site but its home pages and archives.
ARTICLE_PAGES = sorted(
    path
    for path in (str(p.parent.relative_to(DEMO_SITE)) for p in DEMO_SITE.glob("*/**/index.html"))
    if not re.search(r"/(?:category|tag|page)/|^htw/\d{4}/\d{2}$|^(?:htw|cfr/asia|rrm)$", path)
)


def test_the_wordpress_com_repost_keeps_article_and_credit() -> None:
    article = extract_article(*demo_page(HTW_CFR_REPOST), NEW_YORK)
    assert article.title == "The Underground Railroad from North Korea to Freedom"
    assert article.published == datetime(2012, 10, 20, 18, 53, 5, tzinfo=UTC)
    assert article.date_source == "meta"
    paragraphs = article.text.split("\n")
    # The photo's caption goes with its figure, as trafilatura and WCXB's reviewers have it.
    assert "Kim Han-mi watches her mother" not in article.text
    assert paragraphs[-1].endswith("strengthened North Korean border control efforts.")
    assert len(paragraphs) == 2
    assert article.attribution.outlet == "Council on Foreign Relations"
    assert article.attribution.url == f"{DEMO_ROOT}/{CFR_ORIGINAL}/"
    assert "Source:" not in article.text
    assert article.categories == ("Human Trafficking",)
    assert article.site_name == "Human Traffic Watch"


def test_the_cfr_page_keeps_the_article_not_the_comments() -> None:
    article = extract_article(*demo_page(CFR_ORIGINAL), NEW_YORK)
    assert article.author == "Scott A. Snyder"
    # The byline's date has no zone: it takes the outlet's (EDT, UTC-4).
    assert article.published == datetime(2012, 10, 16, 4, 0, tzinfo=UTC)
    assert article.date_source == "byline"
    assert article.text.split("\n")[-1].endswith(
        "Melanie Kirkpatrick’s book provides a call for action."
    )
    assert len(article.text.split("\n")) == 6  # six paragraphs; the photo's caption is left out
    for chrome in ("Thangleader", "saucymugwump", "Print Print", "CFR Presents", "Required"):
        assert chrome not in article.text
    assert article.attribution is None


def test_the_self_hosted_opinion_credit_in_brackets() -> None:
    article = extract_article(*demo_page(RRM_OPINION))
    assert article.attribution.author == "Evan Jones"
    assert article.attribution.text.startswith("[Excerpts from Opinion by Evan Jones")
    assert "[Excerpts" not in article.text
    assert article.published is None, "the page shows no date, and none is invented"
    assert article.text.endswith("citing them exclusively as “illegal economic migrants.”")


def test_an_untitled_post_is_still_an_article() -> None:
    article = extract_article(*demo_page("htw/2013/02/17/2781"))
    assert article.title is None
    assert article.text.startswith("Most refugees arriving in China")
    assert article.attribution.outlet == "NK News"


def test_a_video_only_post_is_dropped_as_too_short() -> None:
    result = extract_page(*demo_page("htw/2013/02/19/human-trafficking-of-north-korean-women"))
    assert result.article is None and result.reason == "too_short"


@pytest.mark.parametrize(
    "path",
    [
        "htw",
        "htw/page/2",
        "htw/tag/north-korea",
        "htw/tag/north-korea/page/2",
        "htw/category/human-trafficking",
        "htw/2012/10",
        "cfr/asia",
        "rrm",
        "rrm/tag/china",
        "rrm/category/opinion",
    ],
)
def test_listing_pages_are_not_articles(path: str) -> None:
    result = extract_page(*demo_page(path))
    assert result.article is None and result.reason == "listing", result.detail


def test_the_404_page_and_non_html_are_dropped_with_a_reason() -> None:
    assert extract_page(*demo_page("404.html")).reason == "not_found"
    assert extract_page("%PDF-1.4\x00\x01binary", "http://x.test/report").reason == "not_html"
    assert extract_page("", "http://x.test/empty").reason == "empty"


@pytest.mark.parametrize("path", ARTICLE_PAGES)
def test_no_chrome_in_any_article(path: str) -> None:
    article = extract_article(*demo_page(path))
    if article is None:
        return  # the video post; dropped above
    leaks = [phrase for phrase in LEAK_PHRASES if phrase in article.text]
    assert not leaks, f"{path} leaks {leaks}"
    assert article.attribution is not None or path.startswith("cfr/")


def test_every_credit_form() -> None:
    forms = {
        "Source: ISN Blog": ("ISN Blog", None),
        "(Source: Yonhap News)": ("Yonhap News", None),
        "Originally published at The Diplomat.": ("The Diplomat", None),
        "This article first appeared in Foreign Policy.": ("Foreign Policy", None),
        "Reprinted with permission of The Korea Herald": ("The Korea Herald", None),
        "Via NK News": ("NK News", None),
        "Excerpts from an article by John Doe in The Guardian": ("The Guardian", "John Doe"),
    }
    for line, (outlet, author) in forms.items():
        credit = parse_credit(line)
        assert (credit.outlet, credit.author) == (outlet, author), line
    assert parse_credit("Source: a senior official said the plan was dead.") is None
    assert parse_credit("Sources say the talks failed.") is None
