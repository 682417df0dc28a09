"""CrawlConfig: what a crawl reads from its settings, built once and validated in one place.

Settings are read with their Scrapy names (``AGGREGATOR_CRAWL_*``, defaults in
``aggregator.defaults``) from anything with ``[]`` and ``in``: Scrapy settings
or a plain dict, so the crawl policy can be set up without Scrapy (issue 12,
item 6; the frontier of item 1 takes it as its options object).

>>> config = CrawlConfig.from_settings({"AGGREGATOR_CRAWL_MAX_FEED_PAGES": "3"})
>>> config.max_feed_pages, config.api_per_page
(3, 100)
>>> CrawlConfig(api_per_page=500)
Traceback (most recent call last):
...
aggregator.errors.ConfigError: setting AGGREGATOR_CRAWL_API_PER_PAGE must be between 1 and 100 (WordPress's limit), got 500
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from aggregator import defaults
from aggregator.errors import ConfigError

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _setting(name: str, default: Any) -> Any:
    """A field read from the Scrapy setting ``name``."""
    return field(default=default, metadata={"setting": name})


@dataclass(frozen=True)
class CrawlConfig:
    """The crawl's own settings, one field each (its setting's name in the field's metadata)."""

    config: str = _setting("AGGREGATOR_CONFIG", defaults.AGGREGATOR_CONFIG)
    db: str = _setting("AGGREGATOR_DB", defaults.AGGREGATOR_DB)
    refresh: bool = _setting("AGGREGATOR_CRAWL_REFRESH", defaults.AGGREGATOR_CRAWL_REFRESH)
    api_per_page: int = _setting(
        "AGGREGATOR_CRAWL_API_PER_PAGE", defaults.AGGREGATOR_CRAWL_API_PER_PAGE
    )
    max_api_pages: int = _setting(
        "AGGREGATOR_CRAWL_MAX_API_PAGES", defaults.AGGREGATOR_CRAWL_MAX_API_PAGES
    )
    max_feed_pages: int = _setting(
        "AGGREGATOR_CRAWL_MAX_FEED_PAGES", defaults.AGGREGATOR_CRAWL_MAX_FEED_PAGES
    )
    sources_wait: float = _setting(
        "AGGREGATOR_CRAWL_SOURCES_WAIT", defaults.AGGREGATOR_CRAWL_SOURCES_WAIT
    )
    sitemap_depth: int = _setting(
        "AGGREGATOR_CRAWL_SITEMAP_DEPTH", defaults.AGGREGATOR_CRAWL_SITEMAP_DEPTH
    )
    sitemap_max_bytes: int = _setting(
        "AGGREGATOR_CRAWL_SITEMAP_MAX_BYTES", defaults.AGGREGATOR_CRAWL_SITEMAP_MAX_BYTES
    )
    max_sitemaps: int = _setting(
        "AGGREGATOR_CRAWL_MAX_SITEMAPS", defaults.AGGREGATOR_CRAWL_MAX_SITEMAPS
    )

    def __post_init__(self) -> None:
        if not 1 <= self.api_per_page <= 100:
            raise ConfigError(
                "setting AGGREGATOR_CRAWL_API_PER_PAGE must be between 1 and 100 "
                f"(WordPress's limit), got {self.api_per_page}"
            )
        for name, least in _LEAST.items():
            if getattr(self, name) < least:
                setting = _FIELDS[name].metadata["setting"]
                raise ConfigError(
                    f"setting {setting} must be at least {least}, got {getattr(self, name)}"
                )

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> CrawlConfig:
        """Build from Scrapy settings or a dict; values may be text (``--set``, the environment)."""
        values: dict[str, Any] = {}
        for name, spec in _FIELDS.items():
            setting = spec.metadata["setting"]
            if setting in settings and settings[setting] is not None:
                values[name] = _typed(setting, settings[setting], spec.default)
        return cls(**values)


_FIELDS = {f.name: f for f in fields(CrawlConfig)}
_LEAST = {
    "max_api_pages": 1,
    "max_feed_pages": 1,
    "sitemap_max_bytes": 1,
    "sources_wait": 0,
    "sitemap_depth": 0,
    "max_sitemaps": 0,
}


def _typed(name: str, value: Any, default: Any) -> Any:
    """``value`` in its default's type, or a ConfigError naming the setting."""
    if isinstance(default, bool):
        text = str(value).strip().lower()
        if text not in _TRUE + _FALSE:
            raise ConfigError(f"setting {name}: {value!r} is not true or false")
        return text in _TRUE
    try:
        return type(default)(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: {value!r} is not a number") from None
