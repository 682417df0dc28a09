"""The crawl frontier: what a run fetches next, decided without Scrapy (issue 12, item 1).

It takes the crawl's options (``CrawlConfig``), the outlets and their site
adapters and the crawl state, and answers in plain data: ``Fetch`` decisions,
counts and faults to a ``Report``. ``spiders.outlet`` turns answers into
``Found`` entries and decisions into requests.
"""

from aggregator.frontier.fetch import Answer, Fetch, Report, Tally
from aggregator.frontier.frontier import Frontier

__all__ = ["Answer", "Fetch", "Frontier", "Report", "Tally"]
