"""Each finder over a page's ``Elements`` finds what the XPath it replaced finds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree, html

from aggregator.extract import finders
from aggregator.extract.bodies import parse_html
from aggregator.extract.elements import Elements

from .corpus import golden_pages

FINDERS: dict[str, tuple[Callable[[Elements], list[html.HtmlElement]], str]] = {
    "itemprop headline": (finders.itemprop_headlines, "//*[@itemprop='headline']"),
    "titled h1": (
        finders.titled_h1s,
        "//article//h1[contains(@class, 'title')] | //h1[contains(@class, 'entry-title')]"
        " | //h1[contains(@class, 'post-title')] | //h1[@id='page-title']"
        " | //h1[contains(@class, 'page-title')] | //h1[contains(@class, 'headline')]",
    ),
    "post heading": (
        finders.post_headings,
        "//*[contains(@class, 'post') or contains(@class, 'hentry')]"
        "//*[self::h2 or self::h3][contains(@class, 'entry-title') or contains(@class, 'post-title')]",
    ),
    "kubrick heading": (
        finders.kubrick_headings,
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' post ')]/h2",
    ),
    "category links": (
        finders.category_links,
        "//a[contains(concat(' ', @rel, ' '), ' category ')]"
        " | //*[contains(@class, 'field-name-field-category')"
        " or contains(@class, 'field--name-field-category')]//a",
    ),
    "tag links": (
        finders.tag_links,
        "//a[contains(concat(' ', @rel, ' '), ' tag ') and not(contains(@rel, 'category'))]"
        " | //*[contains(@class, 'field-name-field-tags')"
        " or contains(@class, 'field--name-field-tags')]//a",
    ),
    "site names": (
        finders.site_names,
        "//*[contains(@class, 'site-title') or @id='site-name' or @id='site-title'"
        " or contains(@class, 'sitename') or @id='blog_title'] | //*[@id='headerimg']//h1"
        " | //h1/a[@rel='home'] | //*[contains(concat(' ', @class, ' '), ' Header ')]//h1",
    ),
    "post containers": (
        finders.post_containers,
        "//article | //*["
        + " or ".join(
            f"contains(concat(' ', normalize-space(@class), ' '), ' {word} ')"
            for word in (
                "post",
                "hentry",
                "type-post",
                "post-outer",
                "node-teaser",
                "node--view-mode-teaser",
                "teaser",
            )
        )
        + "]",
    ),
    "dateline containers": (
        finders.dateline_containers,
        "//*["
        + " or ".join(
            f"contains(@class, '{part}')"
            for part in (
                "entry-meta",
                "post-meta",
                "byline",
                "postmetadata",
                "dateline",
                "posted-on",
                "entry-date",
                "published",
                "date",
                "postdate",
                "post-info",
                "meta",
                "submitted",
                "timestamp",
            )
        )
        + "]",
    ),
}

SHAPES = [
    '<article class="post hentry"><h1 class="entry-title">A</h1><h2 class="post-title">B</h2>'
    '<h3 class="entry-title x">C</h3></article>',
    '<div class="posts"><h2 class="entry-title">D</h2></div><div class="post"><h2>E</h2></div>',
    '<div class="a  post\tb"><h2>F</h2></div><h1 id="page-title">G</h1><h1 class="headline">H</h1>',
    '<article><h1 class="title">I</h1></article><h1 class="title">J</h1>',
    '<p itemprop="headline">K</p><a rel="category tag">L</a><a rel="tag">M</a><a rel="tags">N</a>',
    '<div class="field--name-field-tags"><a>O</a><div><a rel="category">P</a></div></div>'
    '<div class="field-name-field-category"><a rel="category">Q</a></div>',
    '<div id="headerimg"><h1>R</h1></div><h1><a rel="home">S</a></h1><p class="sitename">T</p>'
    '<div class="Header"><h1 class="site-title">U</h1></div><div class="HeaderX"><h1>V</h1></div>',
    '<div class="node-teaser"><span class="posted-on">W</span></div><article class="x-date">X</article>',
]
TREES = [parse_html(page.html) for page in golden_pages() if page.html.lstrip().startswith("<")]
TREES += [parse_html(f"<html><body>{shape}</body></html>") for shape in SHAPES]


@pytest.mark.parametrize("name", FINDERS)
def test_each_finder_finds_what_its_xpath_finds(name: str) -> None:
    finder, xpath = FINDERS[name]
    query = etree.XPath(xpath)
    found = 0
    for tree in TREES:
        assert finder(Elements(tree)) == query(tree)
        found += len(query(tree))
    assert found  # the pages hold some, so the comparison says something


def test_the_byline_check_answers_as_its_xpath() -> None:
    query = etree.XPath(
        "boolean(//*[@itemprop='author' or contains(@class, 'byline') or contains(@rel, 'author')"
        " or contains(@class, 'author') or contains(@class, 'submitted')])"
    )
    answers = [finders.may_have_byline(Elements(tree)) for tree in TREES]
    assert answers == [query(tree) for tree in TREES]
    assert True in answers and False in answers


def test_elements_put_a_union_back_in_document_order() -> None:
    tree = parse_html("<html><body><p id='a'>1</p><div id='b'><p id='c'>2</p></div></body></html>")
    elements = Elements(tree)
    b, c, a = (tree.get_element_by_id(name) for name in "bca")
    assert [e.get("id") for e in elements.in_order([b, c, a, c])] == ["a", "b", "c"]
