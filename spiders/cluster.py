"""Crawl workers switched on by one setting, ``AGGREGATOR_REDIS_URL`` (issue 15, item 1).

An add-on (``ADDONS`` in ``aggregator.settings``): when the setting names a
Redis server, the crawl runs on scrapy-redis' scheduler and request
dupefilter (``spiders.shareddupefilter``), shared by every worker (one request
queue, one set of seen fingerprints, kept between workers' lives:
``SCHEDULER_PERSIST``), requests
are serialized as JSON (``spiders.requestjson``: never pickle from the
network), and each request first takes its host's slot in Redis
(``spiders.sharedslots``). Without the setting nothing changes: the one-machine
crawl stays the default (item 7).
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from aggregator.stream.outlets import DUPEFILTER_KEY, REQUESTS_KEY

SCHEDULER = "scrapy_redis.scheduler.Scheduler"
DUPEFILTER = "spiders.shareddupefilter.SharedDupeFilter"
# aggregator.settings sets the one-machine values at "project"; an equal priority replaces
# them, and the command line (--set, scrapy crawl -s) still wins.
PRIORITY = "project"


class ClusterAddon:
    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        url = settings.get("AGGREGATOR_REDIS_URL")
        if not url:
            return
        settings.set("REDIS_URL", url, priority=PRIORITY)
        settings.set("SCHEDULER", SCHEDULER, priority=PRIORITY)
        settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority=PRIORITY)
        settings.set("SCHEDULER_PERSIST", True, priority=PRIORITY)
        settings.set("SCHEDULER_QUEUE_KEY", REQUESTS_KEY, priority=PRIORITY)
        settings.set("SCHEDULER_DUPEFILTER_KEY", DUPEFILTER_KEY, priority=PRIORITY)
        settings.set("SCHEDULER_SERIALIZER", "spiders.requestjson", priority=PRIORITY)
        settings["DOWNLOADER_MIDDLEWARES"]["spiders.sharedslots.SharedSlotMiddleware"] = 950
