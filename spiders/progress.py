"""Progress of a crawl for a person at a terminal: ``Progress`` calls the CLI's callable with
the crawl's stats every second and once at the end.

``spiders.runner`` attaches it to the crawler's signals, so the callable never travels
through Scrapy settings (issue 12, item 6). What is shown, and whether anything is (not
when output is not a terminal), is the CLI's business.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy import signals
from twisted.internet import task


class Progress:
    def __init__(self, crawler: Any, callback: Callable[..., None], interval: float = 1.0) -> None:
        self.crawler = crawler
        self.callback = callback
        self.interval = interval
        # Made when the crawl opens: a LoopingCall takes the global reactor, and taking it
        # before Scrapy installs its own would install Twisted's default.
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_opened(self, spider: Any) -> None:
        self.loop = task.LoopingCall(self._tick)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.callback(self.crawler.stats.get_stats(), final=True)

    def _tick(self) -> None:
        self.callback(self.crawler.stats.get_stats(), final=False)
