"""Running a crawl in-process, for the CLI: Scrapy settings from ``aggregator.settings``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from spiders.outlet import OutletSpider


def run_crawl(
    outlet_keys: Sequence[str],
    config_path: str,
    db_url: str,
    log_level: str = "WARNING",
    refresh: bool = False,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[..., None] | None = None,
) -> dict[str, Any]:
    """Crawl the outlets (their keys must exist) and return the crawl's stats.

    ``overrides`` are Scrapy or AGGREGATOR_* settings (``--set NAME=VALUE``);
    ``progress`` is called with the stats every second and at the end.
    Runs the Twisted reactor, so it can be called once per process.
    """
    settings = Settings()
    settings.setmodule("aggregator.settings", priority="project")
    settings.set("AGGREGATOR_CONFIG", config_path, priority="cmdline")
    settings.set("AGGREGATOR_DB", db_url, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("AGGREGATOR_CRAWL_REFRESH", refresh, priority="cmdline")
    settings.set("AGGREGATOR_CRAWL_PROGRESS", progress, priority="cmdline")
    # The CLI configures logging; Scrapy's own root handler would print everything twice.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    if progress is not None:
        settings.set(
            "EXTENSIONS", {**settings.getdict("EXTENSIONS"), "spiders.progress.Progress": 500}
        )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(OutletSpider)
    process.crawl(crawler, outlet=",".join(outlet_keys))
    process.start()
    return dict(crawler.stats.get_stats())
