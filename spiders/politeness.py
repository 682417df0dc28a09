"""Politeness (issue 5, item 3): per-outlet concurrency and delay, a User-Agent with a contact,
AutoThrottle kept off the delay an outlet configures, and Retry-After honoured on 429 and 503.

Through Scrapy's public seams (issue 12, item 4): download slots configured by
``DOWNLOAD_SLOTS``, AutoThrottle told per request by the
``autothrottle_dont_adjust_delay`` meta key, retries made by ``get_retry_request``.
One private reach remains: the Retry-After pause of a slot (``_hold_slot``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from time import monotonic
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from aggregator import __version__
from aggregator.config import Outlet
from aggregator.faults import retry_after_seconds
from spiders.headers import header

logger = logging.getLogger(__name__)


def user_agent(contact: str) -> str:
    """``aggregator/0.1.0 (+contact)``: names the project and, when set, who to write to."""
    detail = f"+{contact}" if contact else "news aggregation crawler"
    return f"aggregator/{__version__} ({detail})"


def configure_politeness(settings: Any, outlets: Iterable[Outlet]) -> None:
    """Per-host download slots from the outlets' ``concurrency`` and ``delay``; the User-Agent.

    Runs in the spider's ``from_crawler``, before Scrapy freezes the settings.
    Outlets sharing a host share its slot: the most cautious values win.
    """
    slots: dict[str, dict[str, Any]] = dict(settings.getdict("DOWNLOAD_SLOTS"))
    for outlet in outlets:
        slot = slots.setdefault(outlet.host, {})
        if outlet.concurrency is not None:
            slot["concurrency"] = min(
                outlet.concurrency, slot.get("concurrency", outlet.concurrency)
            )
        if outlet.delay is not None:
            slot["delay"] = max(outlet.delay, slot.get("delay", 0.0))
    settings.set("DOWNLOAD_SLOTS", {h: s for h, s in slots.items() if s}, priority="spider")
    contact = settings.get("AGGREGATOR_CONTACT", "")
    if settings.getpriority("USER_AGENT") <= settings.getpriority("BOT_NAME") or contact:
        settings.set("USER_AGENT", user_agent(contact), priority="spider")
    if not contact:
        logger.info("AGGREGATOR_CONTACT is not set: sites cannot tell whom to write to")


class ConfiguredDelayMiddleware:
    """Requests to a host whose outlet sets ``delay`` keep that delay: AutoThrottle leaves them.

    Their download slot starts at the configured delay (``DOWNLOAD_SLOTS``), and
    the ``autothrottle_dont_adjust_delay`` meta key keeps AutoThrottle from
    changing it, up or down; every other host is AutoThrottled. Off
    (``NotConfigured``) without AutoThrottle or without an outlet delay.
    """

    def __init__(self, hosts: set[str]) -> None:
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConfiguredDelayMiddleware:
        slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
        hosts = {host for host, slot in slots.items() if slot.get("delay") is not None}
        if not crawler.settings.getbool("AUTOTHROTTLE_ENABLED") or not hosts:
            raise NotConfigured  # nothing to keep a delay from, or no delay to keep (no warning)
        return cls(hosts)

    def process_request(self, request: Request) -> None:
        if urlparse_cached(request).hostname in self.hosts:
            request.meta["autothrottle_dont_adjust_delay"] = True


class RetryAfterMiddleware(RetryMiddleware):
    """Bounded retries (RETRY_TIMES) that wait as long as a 429 or 503 asks before trying again.

    The wait holds back every request to that host, not only the retried one:
    the download slot pauses for the Retry-After value (capped by
    AGGREGATOR_CRAWL_RETRY_AFTER_MAX); AutoThrottle goes on adapting after it.
    """

    # Scrapy 2.14 calls it without ``spider``; RetryMiddleware's annotation still lists it.
    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        spider = self.crawler.spider
        if response.status in (429, 503) and not request.meta.get("dont_retry") and spider:
            wait = retry_after_seconds(header(response, "Retry-After"))
            if wait is not None:
                self._hold_slot(request, wait)
                retry = get_retry_request(
                    request,
                    spider=spider,
                    reason=f"{response.status} Retry-After {wait:g}s",
                    max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
                    priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
                )
                if retry is not None:
                    self.crawler.stats.inc_value("aggregator/politeness/retry_after")
                    return retry
                return response
        return super().process_response(request, response)

    def _hold_slot(self, request: Request, wait: float) -> None:
        """Pause the request's download slot for ``wait`` seconds.

        Scrapy 2.x has no public way to pause one slot: a wait in this
        middleware would hold its requests in the downloader's global
        concurrency and starve every other host; ``engine.pause()`` stops them
        all. So the slot is reached directly (issue 12, item 4, left open).
        """
        cap = self.crawler.settings.getfloat("AGGREGATOR_CRAWL_RETRY_AFTER_MAX")
        wait = min(wait, cap)
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(request.meta.get("download_slot", ""))
        if slot is None:
            return
        # The downloader waits `delay - now + lastseen` before the slot's next request
        # (jitter scales only `delay`): a lastseen `wait` ahead holds the host for `wait`.
        slot.delay = max(slot.delay, 0.001)
        slot.lastseen = max(slot.lastseen, monotonic() + wait)
        logger.info("%s asked to wait %gs (Retry-After)", request.url, wait)
