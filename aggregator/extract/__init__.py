"""Extraction: keep the article and its metadata, drop the blog chrome.

    >>> from aggregator.extract import extract_page
    >>> body = "<p>" + "Words of the post. " * 10 + "</p><p>Source: ISN Blog</p>"
    >>> page = f"<html><head><title>A post</title></head><body><article>{body}</article></body></html>"
    >>> article = extract_page(page, "https://example.org/2012/09/08/a-post/").article
    >>> article.title, article.published.date().isoformat(), article.attribution.outlet
    ('A post', '2012-09-08', 'ISN Blog')

``extract_page`` also says why a page is not an article (a listing, a soft 404, ...).
"""

from __future__ import annotations

from aggregator.extract.article import Article, Attribution, Extraction
from aggregator.extract.extractor import ExtractOptions, extract_article, extract_page

__all__ = [
    "Article",
    "Attribution",
    "ExtractOptions",
    "Extraction",
    "extract_article",
    "extract_page",
]
