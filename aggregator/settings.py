"""Scrapy settings for the aggregator project (`scrapy.cfg` points here).

The only module of the ``aggregator`` package that speaks Scrapy's language;
the CLI loads it with ``Settings().setmodule`` so crawls behave the same from
any directory.
"""

from __future__ import annotations

from aggregator import __version__
from aggregator.defaults import *  # noqa: F403  (all AGGREGATOR_* defaults)

BOT_NAME = "aggregator"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = f"aggregator/{__version__} (news aggregation crawler)"

ITEM_PIPELINES = {
    "pipelines.extraction.ExtractionPipeline": 100,
    "pipelines.dedup.DedupPipeline": 200,
    "pipelines.storage.StoragePipeline": 300,
}

# Polite by default: robots.txt, AutoThrottle, modest concurrency per site.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# Pages are kept whatever their status so drops are counted, not lost silently.
HTTPERROR_ALLOWED_CODES = [404, 410]

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
