"""aggregator: crawl the outlets you follow, keep the article, and tell which pages are one story.

The package is framework-free (Scrapy lives in ``spiders/`` and ``pipelines/``):

    >>> from aggregator.extract import extract_article
    >>> from aggregator.dedup import cluster
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
