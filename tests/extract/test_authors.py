"""The author fallback answers what trafilatura's ``extract_author`` answers, without its copy."""

from __future__ import annotations

import pytest
from trafilatura.metadata import extract_author

from aggregator.extract.authors import fallback_author
from aggregator.extract.bodies import parse_html
from aggregator.extract.elements import Elements

from .corpus import golden_pages

PAGES = [page for page in golden_pages() if page.html.lstrip().startswith("<")]

SHAPES = [
    # Each of trafilatura's three rules, most specific first.
    '<p>Intro</p><span class="byline">By Ann Lee</span><a rel="author">Bob Stone</a>',
    '<div class="post-author-name">Carla Diaz</div><h4 id="authorbox">Dan Ode</h4>',
    '<section class="c-Byline">Eve Fink</section>',
    '<span itemprop="author name">Fay Gold</span>',
    "<author>Gus Hall</author>",
    # Deleted before looking: comments, sidebars, dates, figures; a tail stays behind.
    '<div id="comments"><span class="author">A Reader</span></div><p class="author">Hal Ito</p>',
    '<div class="widget sidebar"><a rel="author">Side Bar</a></div>',
    '<span class="author">Ivy <time>May 5</time>Jones</span>',
    '<span class="author">Jo<span class="date">x</span><span class="date">y</span>el Kerr</span>',
    '<span class="author"><time>May 5</time>Kim Lo, <figure>i</figure>Max Ng</span>',
    # Too short or too long is no author; the next match is tried.
    '<span class="author">Al</span><span class="author">Ned Oak</span>',
    '<span class="author">' + "word " * 30 + '</span><a class="author">Pia Quinn</a>',
    '<div class="author" id="x"><a href="https://example.org/u/ray">Ray Sun</a></div>',
    "<p>No byline here.</p>",
]


def _both(page: str) -> tuple[str | None, str | None]:
    return fallback_author(Elements(parse_html(page))), extract_author(parse_html(page))


@pytest.mark.parametrize("body", SHAPES)
def test_each_rule_and_deletion_answers_as_trafilatura(body: str) -> None:
    ours, theirs = _both(f"<html><body><article>{body}</article></body></html>")
    assert ours == theirs


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_golden_page_answers_as_trafilatura(page) -> None:
    ours, theirs = _both(page.html)
    assert ours == theirs


def test_a_deleted_date_leaves_the_name_whole() -> None:
    page = '<html><body><span class="author">Ivy <time>May 5</time>Jones</span></body></html>'
    assert fallback_author(Elements(parse_html(page))) == "Ivy Jones"
