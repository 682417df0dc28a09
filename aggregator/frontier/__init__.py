"""The crawl frontier: what a run fetches next, decided without Scrapy (issue 12, item 1).

It takes the crawl's options (``CrawlConfig``), the outlets and their site
adapters and the crawl state, and answers in plain data: ``Fetch`` decisions,
counts and faults to a ``Report``. ``spiders.outlet`` turns answers into
``Found`` entries and decisions into requests.

    >>> from aggregator.config import Outlet
    >>> from aggregator.crawlconfig import CrawlConfig
    >>> from aggregator.crawlstate import CrawlState, Found
    >>> from aggregator.sites import site_for
    >>> from aggregator.store import Store
    >>> wp = Outlet(key="wp", name="WP", url="https://a.example/", platform="wordpress")
    >>> state = CrawlState.load(Store("sqlite://"), ["wp"])
    >>> frontier = Frontier(CrawlConfig(), {"wp": wp}, {"wp": site_for(wp)}, state)
    >>> robots, api, feed = frontier.discovery("wp")
    >>> feed.url, feed.reader, state.get("wp", feed.url).status
    ('https://a.example/feed/', 'feed', 'queued')
    >>> answer = Answer(200, feed.url, etag='"v1"')
    >>> [(f.url, f.reader) for f in frontier.feed_read(feed, answer, [Found("https://a.example/p/", "feed")])]
    [('https://a.example/p/', 'page'), ('https://a.example/feed/?paged=2', 'feed')]
"""

from aggregator.frontier.fetch import Answer, Fetch, Report, Tally
from aggregator.frontier.frontier import Frontier

__all__ = ["Answer", "Fetch", "Frontier", "Report", "Tally"]
