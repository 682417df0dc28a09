"""Extraction: keep the article and its metadata, drop the blog chrome.

    >>> from aggregator.extract import extract_article
    >>> article = extract_article(html, url)              # doctest: +SKIP
    >>> article.title, article.published, article.attribution.outlet

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
