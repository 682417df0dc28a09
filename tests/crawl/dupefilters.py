"""A dupefilter that remembers every request of earlier runs, standing in for scrapy-redis's
(whose seen set in Redis outlives a crawl with ``SCHEDULER_PERSIST``): Scrapy's own
``RFPDupeFilter``, keeping its fingerprints in the directory the environment's ``TEST_SEEN_DIR`` names
(the CLI takes no ``--set`` of a setting it does not know)."""

from __future__ import annotations

import os
from typing import Any

from scrapy.dupefilters import RFPDupeFilter


class RememberingDupeFilter(RFPDupeFilter):
    @classmethod
    def from_crawler(cls, crawler: Any) -> RememberingDupeFilter:
        return cls(os.environ["TEST_SEEN_DIR"], fingerprinter=crawler.request_fingerprinter)
