"""Scrapy settings for the aggregator project (`scrapy.cfg` points here).

The only module of the ``aggregator`` package that speaks Scrapy's language;
the CLI loads it with ``Settings().setmodule`` so crawls behave the same from
any directory.
"""

from __future__ import annotations

from aggregator import __version__
from aggregator.defaults import *  # noqa: F403  (all AGGREGATOR_* defaults)

# Any AGGREGATOR_* setting may come from the environment, so scheduled `scrapy crawl`
# jobs see the same values as `aggregator crawl`: merged by this add-on when the crawl
# starts (at a named priority, spiders.environment), never when this module is imported.
ADDONS = {"spiders.environment.EnvironmentAddon": 0, "spiders.cluster.ClusterAddon": 10}

BOT_NAME = "aggregator"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = f"aggregator/{__version__} (news aggregation crawler)"

# Scrapy processes each response's output with this many asyncio workers, created anew
# for every response; a page yields one item and a few requests, and the default 100
# workers cost more event-loop time than the page's own parsing (measured with py-spy).
CONCURRENT_ITEMS = 8

ITEM_PIPELINES = {
    "pipelines.extraction.ExtractionPipeline": 100,
    "pipelines.storage.StoragePipeline": 300,
}
# The one owner of the crawl's store: lock, crawl state, run row, and the store writer
# process that makes every write (dedup and story assignment included) off the event loop.
EXTENSIONS = {"spiders.crawlrun.CrawlRun": 0}

# Polite by default (issue 5): robots.txt, AutoThrottle (hosts whose outlet sets a delay keep
# it), modest concurrency per site, Retry-After honoured on 429 and 503.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOADER_MIDDLEWARES = {
    # What may be fetched (issue 11): every request and redirect hop, before robots.txt (100).
    "spiders.scope.ScopeMiddleware": 40,
    # An outlet's own delay is left alone by AutoThrottle (off without either).
    "spiders.politeness.ConfiguredDelayMiddleware": 45,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.politeness.RetryAfterMiddleware": 550,
}
# spiders.runner attaches spiders.progress.Progress when the CLI shows progress.

# The web is untrusted: only http(s) is ever downloaded, whatever a page or sitemap names
# (a sitemap entry of file:///dev/zero once filled a disk; spiders.scope refuses it first).
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}

# Faults are survived (issue 5, item 6): bounded retries, a size cap, few redirects.
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# Duplicate requests are filtered by the crawl's frontier (it decides each URL once a run);
# scrapy-redis's filter takes its place, with its scheduler, when AGGREGATOR_REDIS_URL names a
# Redis server (spiders.cluster.ClusterAddon; issue 15).
DUPEFILTER_CLASS = "spiders.dupefilter.FrontierDupeFilter"

# Newest first: discovery orders requests by priority; within one priority,
# first found, first fetched (feeds and APIs list newest first).
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
# Extraction awaits a process pool: an asyncio reactor.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# A crawler run by cron needs no listening sockets.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
