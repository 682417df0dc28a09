"""The spider's callbacks and the extraction pipeline, in this process, with Scrapy's own objects.

No reactor and no network: each callback gets a response built from a demo page
(``scrapy.http.HtmlResponse``, ``XmlResponse``) for the request the spider itself
made (its pages read in this process: no worker pool), and the pipeline gets a
``PageItem`` read as the spider reads it. The crawls over real HTTP (the other
modules here) check how these parts work together; these check each part's decisions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from aggregator import defaults
from aggregator.config import Outlet
from aggregator.crawlstate import CrawlState
from aggregator.demo import DEMO_SITE
from aggregator.page import PageItem
from aggregator.sites import site_for
from aggregator.store import Store
from pipelines.extraction import ExtractionPipeline
from spiders.outlet import OutletSpider
from spiders.reader import PageReader

from ..helpers import CFR_ORIGINAL, DEMO_ROOT, HTW_CFR_REPOST, demo_page
from .support import write_config

HTW_TABLE = {
    "url": f"{DEMO_ROOT}/htw/",
    "name": "Human Traffic Watch",
    "platform": "wordpress",
    "timezone": "America/New_York",
}
HTW = Outlet(key="htw", **HTW_TABLE)
VIDEO_ONLY = "htw/2013/02/19/human-trafficking-of-north-korean-women"


def project_settings(**values: object) -> Settings:
    settings = Settings()
    settings.setmodule("aggregator.settings", priority="project")
    settings.update(values, priority="cmdline")
    return settings


@pytest.fixture
def spider(tmp_path: Path, db_url: str) -> Iterator[OutletSpider]:
    """The spider for one outlet, as a crawl builds it (before Scrapy freezes the settings:
    ``from_crawler`` sets the outlet's download slot), with an empty store."""
    config = write_config(tmp_path / "outlets.toml", htw=HTW_TABLE)
    crawler = Crawler(
        OutletSpider, project_settings(AGGREGATOR_CONFIG=str(config), AGGREGATOR_DB=db_url)
    )
    crawler.stats = MemoryStatsCollector(crawler)
    spider = OutletSpider.from_crawler(crawler, outlet="htw")
    # The crawl state the crawl's owner (spiders.crawlrun) loads, with writes made at once.
    with Store(db_url) as store:
        spider.plan_with(CrawlState.load(store, spider.outlets))
        yield spider


def respond(request: Request, path: str) -> HtmlResponse | XmlResponse:
    """The demo page at ``path`` as the answer to ``request``."""
    file = DEMO_SITE / path
    body = file.read_bytes().replace(b"{{DEMO_ROOT}}", DEMO_ROOT.encode())
    kind = XmlResponse if file.suffix == ".xml" else HtmlResponse
    return kind(request.url, body=body, encoding="utf-8", request=request)


def answers(spider: OutletSpider, response: HtmlResponse | XmlResponse) -> list[Any]:
    """What ``parse_page`` yields for ``response`` (an async callback: it awaits the read)."""

    async def collect() -> list[Any]:
        return [answer async for answer in spider.parse_page(response)]

    return asyncio.run(collect())


def test_the_home_page_is_an_item_and_asks_for_its_articles_and_next_page(
    spider: OutletSpider,
) -> None:
    (home,) = spider.requests(spider.frontier.archive("htw"))
    assert home.url == f"{DEMO_ROOT}/htw/" and home.meta["kind"] == "listing"
    item, *requests = answers(spider, respond(home, "htw/index.html"))
    assert isinstance(item, PageItem) and item.url == home.url and item.html
    assert item.read is not None and item.read.extraction.reason == "listing"
    urls = {r.url: r for r in requests}
    assert f"{DEMO_ROOT}/{HTW_CFR_REPOST}/" in urls
    assert urls[f"{DEMO_ROOT}/htw/page/2/"].meta["kind"] == "listing"
    assert all(r.url.startswith(f"{DEMO_ROOT}/htw/") for r in requests), "only the outlet's own"
    assert all(r.callback == spider.parse_page for r in requests)
    stats = spider.crawler.stats
    assert stats.get_value("aggregator/discovered/archive") == len(requests)


def test_a_link_already_asked_for_is_not_asked_for_again(spider: OutletSpider) -> None:
    (home,) = spider.requests(spider.frontier.archive("htw"))
    _, *first = answers(spider, respond(home, "htw/index.html"))
    _, *again = answers(spider, respond(home, "htw/index.html"))
    assert first and again == []


def test_the_feed_asks_for_each_post_it_lists(spider: OutletSpider) -> None:
    requests = list(spider.requests(spider.frontier.discovery("htw")))
    (feed,) = [r for r in requests if r.callback == spider.parse_feed]
    assert feed.url == f"{DEMO_ROOT}/htw/feed/"
    answers = list(spider.parse_feed(respond(feed, "htw/feed/index.xml")))
    posts = [r for r in answers if r.callback == spider.parse_page]
    assert f"{DEMO_ROOT}/{HTW_CFR_REPOST}/" in {r.url for r in posts}
    assert {(r.meta["found_via"], r.meta["kind"]) for r in posts} == {("feed", "page")}
    # Every post it listed was new, so the next feed page is asked for too.
    assert [r.url for r in answers if r.callback == spider.parse_feed] == [f"{feed.url}?paged=2"]


@pytest.fixture
def pipeline() -> ExtractionPipeline:
    """The extraction pipeline, with the default settings."""
    return ExtractionPipeline.from_crawler(get_crawler(settings_dict=DEFAULTS))


DEFAULTS = {n: v for n, v in vars(defaults).items() if n.startswith("AGGREGATOR_")}


def page(path: str, status: int = 200, outlet: Outlet = HTW) -> PageItem:
    """The demo page at ``path``, read as the spider reads it (in this process)."""
    html, url = demo_page(path)
    item = PageItem(url, outlet, status, html, "text/html", datetime.now(UTC))
    if status < 400:
        reader = PageReader.from_crawler(get_crawler(settings_dict=DEFAULTS))
        item.read = asyncio.run(reader.read(item, url, site_for(outlet)))
    return item


def drop_reason(pipeline: ExtractionPipeline, item: PageItem) -> str | None:
    with pytest.raises(DropItem):
        pipeline.process_item(item)
    return item.drop_reason


def test_an_article_page_becomes_an_article(pipeline: ExtractionPipeline) -> None:
    item = pipeline.process_item(page(CFR_ORIGINAL))
    assert item.article is not None and item.article.url == item.url
    assert item.article.title == "The Underground Railroad from North Korea to Freedom"
    assert pipeline.stats.get_value("aggregator/articles/extracted") == 1


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (page("htw", status=404), "http_404"),
        (PageItem(f"{DEMO_ROOT}/x.pdf", HTW, 200, "", "application/pdf", datetime.now(UTC)), "not_html"),
        (page("htw"), "listing"),
        (page("htw/tag/north-korea"), "listing"),
        (page(VIDEO_ONLY), "too_short"),
        (page(HTW_CFR_REPOST, outlet=replace(HTW, since=date(2013, 1, 1))), "before_since"),
    ],
    ids=["http_404", "not_html", "home_page", "tag_archive", "video_only", "before_since"],
)  # fmt: skip
def test_each_page_that_is_no_article_is_dropped_with_its_reason(
    pipeline: ExtractionPipeline, item: PageItem, reason: str
) -> None:
    assert drop_reason(pipeline, item) == reason
    assert pipeline.stats.get_value(f"aggregator/dropped/{reason}") == 1
    assert pipeline.stats.get_value("aggregator/outlet/htw/dropped") == 1
