"""Progress of a crawl for a person at a terminal: the CLI passes a callable, this calls it.

The extension only hands the stats over (every second and once at the end);
what is shown, and whether anything is (not when output is not a terminal),
is the CLI's business.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    def __init__(self, crawler: Any, callback: Any, interval: float = 1.0) -> None:
        self.crawler = crawler
        self.callback = callback
        self.loop = task.LoopingCall(self._tick)
        self.interval = interval

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        callback = crawler.settings.get("AGGREGATOR_CRAWL_PROGRESS")
        if not callable(callback):
            raise NotConfigured("no progress display asked for")
        extension = cls(crawler, callback)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        self.callback(self.crawler.stats.get_stats(), final=True)

    def _tick(self) -> None:
        self.callback(self.crawler.stats.get_stats(), final=False)
