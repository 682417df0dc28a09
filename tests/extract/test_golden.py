"""Golden files: every corpus page extracts to exactly its page.json (issue 3, item 7).

A change in what extraction returns shows as a diff of one field of one page;
when the change is an improvement, the page.json is updated in the same commit.
"""

from __future__ import annotations

import pytest

from aggregator.extract.chrome import LEAK_PHRASES

from .corpus import GoldenPage, as_golden, golden_pages

PAGES = golden_pages()


def test_the_corpus_is_large_enough_and_covers_every_kind() -> None:
    kinds = {page.expected["kind"] for page in PAGES}
    assert len(PAGES) >= 40
    assert {"article", "listing", "search_results", "attachment", "not_found", "soft_404"} <= kinds
    assert {"feed", "comment_feed", "not_html", "too_short"} <= kinds
    assert sum(page.expected["kind"] == "article" for page in PAGES) >= 20


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_page_extracts_to_its_golden_file(page: GoldenPage) -> None:
    got = as_golden(page.extract())
    want = {key: page.expected[key] for key in got if key in page.expected}
    assert got == want


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if p.expected["kind"] == "article"],
    ids=lambda page: page.name,
)
def test_no_boilerplate_phrase_in_any_article(page: GoldenPage) -> None:
    text = page.extract().article.text
    assert [phrase for phrase in LEAK_PHRASES if phrase in text] == []
