"""The story store: SQLAlchemy models and the engine, SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from aggregator.store.engine import Store
from aggregator.store.lock import StoreLockedError, crawl_lock
from aggregator.store.models import (
    ArticleRow,
    Base,
    CrawlRunRow,
    CrawlStateRow,
    LinkRow,
    OutletRow,
    SignatureRow,
    StoryRow,
)

__all__ = [
    "ArticleRow",
    "Base",
    "CrawlRunRow",
    "CrawlStateRow",
    "LinkRow",
    "OutletRow",
    "SignatureRow",
    "Store",
    "StoreLockedError",
    "StoryRow",
    "crawl_lock",
]
