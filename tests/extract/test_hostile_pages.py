"""No page can crash extraction (issue 9, item 7): whatever the bytes, a page becomes an
article or a drop with a reason, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.charsets import decode_html
from aggregator.extract import Extraction, extract_page

_TAGS = [
    "div",
    "p",
    "article",
    "time",
    "meta",
    "a",
    "span",
    "table",
    "td",
    "script",
    "style",
    "h1",
    "h2",
    "body",
    "html",
    "head",
    "title",
    "br",
    "li",
    "ul",
    "abbr",
    "main",
    "svg",
]
_ATTRIBUTES = [
    "class",
    "id",
    "datetime",
    "content",
    "property",
    "name",
    "itemprop",
    "rel",
    "href",
    "title",
    "lang",
    "type",
]
_ODD_VALUES = [
    "",
    " ",
    "\x00",
    "article",
    "single",
    "home tag",
    "entry-content",
    "og:type",
    "article:published_time",
    "9999-99-99",
    "2012-10-20T14:53:00-04:00",
    "0",
    "application/ld+json",
    "javascript:alert(1)",
    "&#xffffff;",
    "\u202e",
    "a" * 300,
]
_TEXTS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60
) | st.sampled_from(
    [
        "&amp;",
        "&bogus;",
        "&#0;",
        "&#x110000;",
        "<!--",
        "]]>",
        "<![CDATA[",
        '{"@type": "NewsArticle", "author": [null, {}]}',
        "word " * 40,
    ]
)


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attributes = "".join(
        f' {draw(st.sampled_from(_ATTRIBUTES))}="{draw(st.sampled_from(_ODD_VALUES))}"'
        for _ in range(draw(st.integers(0, 3)))
    )
    children = []
    if depth < 4:
        for _ in range(draw(st.integers(0, 3))):
            children.append(draw(_element(depth + 1)) if draw(st.booleans()) else draw(_TEXTS))
    closing = "" if draw(st.integers(0, 4)) == 0 else f"</{tag}>"  # unclosed now and then
    return f"<{tag}{attributes}>{''.join(children)}{closing}"


def _check(result: Extraction) -> None:
    assert isinstance(result, Extraction)
    assert (result.article is None) == (result.reason is not None)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments=st.lists(_element(), min_size=1, max_size=5))
def test_malformed_markup_is_an_article_or_a_reason(fragments: list[str]) -> None:
    _check(extract_page("".join(fragments), "https://example.org/2012/10/20/post/"))


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=2000), label=st.sampled_from([None, "utf-8", "utf-16", "cp1251"]))
def test_any_bytes_through_the_page_path_are_an_article_or_a_reason(
    body: bytes, label: str | None
) -> None:
    text, _ = decode_html(body, label)
    _check(extract_page(text, "https://example.org/post/"))


@pytest.mark.parametrize(
    "page",
    [
        '<time datetime="">x</time>',  # once an AttributeError in the date reader
        '<meta property="article:published_time" content="">',
        '<abbr class="published" title="">x</abbr>',
        '<script type="application/ld+json">{"@type": "Article", "datePublished": null}</script>',
        '<script type="application/ld+json">[[[{"@graph": {}}]]]</script>',
    ],
)
def test_empty_and_odd_date_markup_gives_no_date(page: str) -> None:
    html = f"<html><head>{page}</head><body><article><p>{'word ' * 60}</p></article></body></html>"
    article = extract_page(html, "https://example.org/post/").article
    assert article is not None and article.published is None


def test_a_deeply_nested_page_is_read_without_an_error() -> None:
    html = "<div>" * 5000 + "<p>" + "word " * 60 + "</p>" + "</div>" * 5000
    _check(extract_page(html, "https://example.org/post/"))


def test_a_page_of_one_huge_attribute_is_read_without_an_error() -> None:
    html = f'<html><body class="{"x " * 200_000}"><p>{"word " * 60}</p></body></html>'
    _check(extract_page(html, "https://example.org/post/"))
