"""Running a crawl in-process, for the CLI: Scrapy settings from ``aggregator.settings``."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import BaseSettings, Settings

from aggregator.crawlconfig import CrawlConfig
from aggregator.errors import ConfigError
from spiders.environment import merge_environment
from spiders.outlet import OutletSpider
from spiders.progress import Progress

_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def crawl_settings(
    config_path: str,
    db_url: str,
    log_level: str = "WARNING",
    refresh: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[Settings, CrawlConfig]:
    """A crawl's Scrapy settings and its CrawlConfig, built once and checked before it starts.

    Settings, lowest first: ``aggregator.settings``, the environment's
    AGGREGATOR_* variables (``spiders.environment``), then the arguments and
    ``overrides``, Scrapy or AGGREGATOR_* settings (``--set NAME=VALUE``).
    """
    settings = Settings()
    settings.setmodule("aggregator.settings", priority="project")
    merge_environment(settings)
    settings.set("AGGREGATOR_CONFIG", config_path, priority="cmdline")
    settings.set("AGGREGATOR_DB", db_url, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("AGGREGATOR_CRAWL_REFRESH", refresh, priority="cmdline")
    # The CLI configures logging; Scrapy's own root handler would print everything twice.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings, CrawlConfig.from_settings(settings)


def run_crawl(
    outlet_keys: Sequence[str],
    settings: Settings,
    crawl_config: CrawlConfig,
    progress: Callable[..., None] | None = None,
    worker: bool = False,
) -> dict[str, Any]:
    """Crawl the outlets (their keys must exist) and return the crawl's stats.

    ``worker``: crawl as one of a cluster's workers (``spiders.worker``, issue 15).

    ``progress`` is called with the stats every second and at the end. Runs
    the Twisted reactor, so it can be called once per process.
    """
    process = CrawlerProcess(settings)
    spider: type[OutletSpider] = OutletSpider
    if worker:
        from spiders.worker import WorkerSpider  # needs the cluster extra (redis)

        spider = WorkerSpider
    crawler = process.create_crawler(spider)
    # Held here for the crawl: signals keep only weak references to their receivers.
    reporter = Progress(crawler, progress) if progress is not None else None
    process.crawl(crawler, outlet=",".join(outlet_keys), crawl_config=crawl_config)
    process.start()
    del reporter
    return dict(crawler.stats.get_stats())


def checked_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``--set`` values checked against the settings they change (issue 11, finding 14).

    The name must be a Scrapy or AGGREGATOR_* setting; the value must fit its
    default's type (a bool, a finite number, text, a table or a list) and be 0 or more where the default is. A bad value is a
    ``ConfigError`` naming it (exit 2) before the crawl starts, never a
    traceback inside it.
    """
    known = Settings()
    known.setmodule("aggregator.settings", priority="project")
    checked = {}
    for name, value in overrides.items():
        if name not in known:
            raise ConfigError(f"--set {name}: no such setting (Scrapy's or AGGREGATOR_*)")
        checked[name] = _fit(name, value, known[name])
    return checked


def _fit(name: str, value: Any, default: Any) -> Any:
    """``value`` in the type of ``default``; ConfigError when it does not fit."""
    if default is None or value is None:
        return value
    if isinstance(default, bool):
        text = str(value).lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ConfigError(f"--set {name}={value}: expected true or false")
    if isinstance(default, int | float):
        return _number(name, value, default)
    if isinstance(default, BaseSettings | dict) and not isinstance(value, dict):
        raise ConfigError(f"--set {name}={value}: expected a JSON object")
    if isinstance(default, list | tuple) and not isinstance(value, list | str):
        raise ConfigError(f"--set {name}={value}: expected a JSON list")
    if isinstance(default, str) and not isinstance(value, str):
        return str(value)
    return value


def _number(name: str, value: Any, default: float) -> float:
    """A finite number (a default of 30 may still mean 2.5 seconds), 0 or more where the
    default is (priority adjustments may be negative)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"--set {name}={value}: expected a finite number")
    if value < 0 <= default and "PRIORITY" not in name:
        raise ConfigError(f"--set {name}={value}: expected 0 or more")
    return value
