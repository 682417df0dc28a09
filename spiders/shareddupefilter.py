"""SharedDupeFilter: scrapy-redis' request dupefilter for a cluster's workers (issue 15).

Seen fingerprints live in Redis, shared by every worker, as scrapy-redis keeps
them. Like the one-machine filter (``spiders.dupefilter``), a redirect hop is
let through: it continues a request already let in (a post moved to a new
address that another request fetched before), so the URL that redirected gets
its answer instead of staying queued; redirect loops are Scrapy's to catch
(``REDIRECT_MAX_TIMES``).
"""

from __future__ import annotations

from scrapy import Request
from scrapy_redis.dupefilter import RFPDupeFilter


class SharedDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    def request_seen(self, request: Request) -> bool:
        if request.meta.get("redirect_urls"):
            return False
        return bool(super().request_seen(request))
