"""FrontierDupeFilter: the scheduler's duplicate check, answered by the crawl's frontier (issue 12, item 4).

The frontier decides each URL once a run, from the crawl state; this filter is
the scheduler's own check of that, through Scrapy's ``DUPEFILTER_CLASS`` seam, so
another filter can take its place by settings alone (scrapy-redis's
``RFPDupeFilter``, shared by several crawl processes). Requests the frontier
makes again on purpose (re-reads, resumes, retries, changed articles) carry
``dont_filter`` and never reach a dupefilter, so one that remembers earlier
runs does not swallow them.

A redirect hop is let through: it continues a request already let in, and a
redirect loop is Scrapy's to catch (``REDIRECT_MAX_TIMES``), as a counted
``redirect_loop`` fault, not a silently filtered request. Requests the frontier
did not make (no outlet in their meta) are filtered by fingerprint, as Scrapy's
own filter does.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter


class FrontierDupeFilter(RFPDupeFilter):
    def __init__(self, crawler: Any, debug: bool = False) -> None:
        super().__init__(debug=debug, fingerprinter=crawler.request_fingerprinter)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierDupeFilter:
        return cls(crawler, crawler.settings.getbool("DUPEFILTER_DEBUG"))

    def request_seen(self, request: Request) -> bool:
        if request.meta.get("redirect_urls"):
            return False
        frontier = getattr(self.crawler.spider, "frontier", None)
        outlet = request.meta.get("outlet")
        if frontier is None or outlet is None:
            return super().request_seen(request)
        return not frontier.admit(outlet, request.url)
