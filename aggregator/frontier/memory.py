"""What one run has decided on and heard so far: the frontier's per-run memory.

Never written to the store: the crawl state (``aggregator.crawlstate``) is what
outlives a run; this is what a run needs to decide each URL once, to stop paging
where nothing is new, and to keep its budgets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import MutableSet

from aggregator import crawlstate as cs
from aggregator.crawlstate import Found
from aggregator.urls import normalize_url

# Why a URL counts as news this run (``crawlstate.plan``'s answers).
FRESH = (cs.NEW, cs.CHANGED, cs.RESUME)

Plans = list[tuple[Found, str | None]]


class RunMemory:
    def __init__(self, awaiting: MutableSet[str] | None = None) -> None:
        self.scheduled: dict[str, set[str]] = {}  # page URLs decided on, per outlet
        self.sources: set[str] = set()  # discovery URLs decided on
        # First pages of sources not answered yet; shared by a cluster's workers, since
        # any of them may fetch the first page of a source another one planned.
        self.awaiting: MutableSet[str] = set() if awaiting is None else awaiting
        self.news: dict[str, set[str]] = {}  # URLs new, changed or resumed this run, per outlet
        self.listed: dict[tuple[str, str], set[str]] = {}  # URLs each paged source listed
        self.link_memo: dict[str, dict[str, str | None]] = {}  # raw link -> normalised, or None
        self.pagination: dict[str, dict[str, bool]] = {}  # link -> is it a later archive page
        self.sitemaps_read: Counter[str] = Counter()  # child sitemaps asked for, per outlet
        self.over_sitemap_budget: set[str] = set()  # outlets told they read too many
        self.requested: dict[str, set[str]] = {}  # URLs the dupefilter let through, per outlet

    def is_scheduled(self, key: str, url: str) -> bool:
        return url in self.scheduled.get(key, ())

    def has_news(self, key: str, plans: Plans, source: str, remember: bool = True) -> bool:
        """Does a page list something we did not have before this run (so paging goes on)?

        An entry counts when it is new here, or new this run through another
        source (answers race: the home page may list a post before the API does)
        and not listed by an earlier page of this same source (a feed whose
        ``?paged=N`` is ignored repeats its first page forever). ``remember=False``
        for a page no later page of its source will follow: what it listed is then
        not kept (an article page's links: 4 KiB a page, a run's largest memory).
        """
        news = self.news.get(key, set())
        listed = self.listed.get((key, source), set())
        found_news = any(
            reason in FRESH or (found.url in news and found.url not in listed)
            for found, reason in plans
        )
        if remember:
            self.listed.setdefault((key, source), listed).update(found.url for found, _ in plans)
        return found_news

    def admit(self, key: str, url: str) -> bool:
        """Is this the first request for ``url`` this run (the request dupefilter's question)?

        The frontier decides each URL once a run; this is the scheduler's own check
        of that, so a dupefilter swapped in by settings (scrapy-redis) takes its place.
        """
        requested = self.requested.setdefault(key, set())
        url = normalize_url(url)
        if url in requested:
            return False
        requested.add(url)
        return True
