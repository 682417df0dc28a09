"""A small labelled corpus for dedup tests: the seed pages, the demo site's other posts,
and reposts of them the way blogs make them (excerpts, edits, leftover chrome, credit lines).

Every text is real: demo-site articles, or pieces of them, plus chrome lines copied
verbatim from the seed pages. Each entry carries the story it belongs to. Also what a
crawl does for one page (``save``), for tests that go through the write path.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import trafilatura

from aggregator.config import Outlet
from aggregator.dedup import DedupConfig, Doc
from aggregator.extract import Article, Attribution, extract_article
from aggregator.ingest import load_matcher, save_article
from aggregator.store import Store

from ..helpers import (
    CFR_ORIGINAL,
    HTW_CFR_REPOST,
    HTW_ISN_REPOST,
    NEW_YORK,
    RRM_OPINION,
    demo_page,
)

ESCAPE = "htw/2013/03/31/escape-from-north-korea-a-modern-refugee-crisis"
BRIDES = "htw/2012/08/21/north-korea-human-traffickers-and-the-chinese-market-for-brides"
BROKERS = "htw/2013/02/17/2781"
WORST = "htw/2012/06/27/u-s-names-n-korea-one-of-worst-countries-of-human-trafficking"

OUTLETS = {
    "htw": Outlet(key="htw", url="http://demo.test/htw/", name="Human Traffic Watch"),
    "cfr": Outlet(
        key="cfr",
        url="http://demo.test/cfr/asia/",
        name="Council on Foreign Relations",
        aliases=("CFR", "Asia Unbound"),
    ),
    "rrm": Outlet(key="rrm", url="http://demo.test/rrm/", name="Refugee Rights Monitor"),
    "blog": Outlet(key="blog", url="http://blog.test/", name="A Reposting Blog"),
    "wire": Outlet(key="wire", url="http://wire.test/", name="Daily Wire Digest"),
}
# Chrome the extractor can miss, verbatim from the seed pages (WordPress.com comment form).
CHROME = [
    "Leave a Reply",
    "Fill in your details below or click an icon to log in:",
    "You are commenting using your WordPress.com account. Log Out / Change )",
    "You are commenting using your Twitter account. Log Out / Change )",
    "You are commenting using your Facebook account. Log Out / Change )",
    "Get every new post delivered to your Inbox.",
    "Join 1,189 other followers",
    "Your email address will not be published. Required fields are marked *",
]
STOCK = "Over 20,000 North Koreans have fled to South Korea in the past decade."
# Chrome from the third article of an outlet on (the default is five), so that the small
# fixtures here cross the threshold; what crossing it does does not depend on where it is.
THREE_MAKE_CHROME = DedupConfig(boilerplate_articles=3)
DEFAULT = DedupConfig()


@dataclass(frozen=True)
class Labelled:
    """An article of the test corpus and the story (its original's key) it belongs to."""

    key: str
    outlet: str
    article: Article
    story: str

    @property
    def doc(self) -> Doc:
        credit = self.article.attribution.outlet if self.article.attribution else None
        name = OUTLETS[self.outlet].name
        return Doc(self.key, self.article.text, self.article.published, name, credit)


@cache
def demo_article(path: str) -> Article:
    return extract_article(*demo_page(path), NEW_YORK)


def _paragraphs(path: str) -> list[str]:
    return demo_article(path).text.split("\n")


def _derived(
    key: str, outlet: str, paragraphs: list[str], days: int, credit: str | None = None
) -> Article:
    base = demo_article(CFR_ORIGINAL).published
    attribution = Attribution(text=f"Source: {credit}", outlet=credit) if credit else None
    return Article(
        url=f"http://{outlet}.test/{key}/",
        title=key,
        text="\n".join(paragraphs),
        published=base + timedelta(days=days),
        attribution=attribution,
    )


@cache
def labelled_corpus() -> tuple[Labelled, ...]:
    """Twelve articles, seven stories; the blog's three posts share chrome, so its chrome is
    only recognised once the third arrives (the order-dependence trap for incremental dedup)."""
    seeds = [
        Labelled(HTW_CFR_REPOST, "htw", demo_article(HTW_CFR_REPOST), CFR_ORIGINAL),
        Labelled(CFR_ORIGINAL, "cfr", demo_article(CFR_ORIGINAL), CFR_ORIGINAL),
        Labelled(HTW_ISN_REPOST, "htw", demo_article(HTW_ISN_REPOST), HTW_ISN_REPOST),
        Labelled(RRM_OPINION, "rrm", demo_article(RRM_OPINION), RRM_OPINION),
        Labelled(ESCAPE, "htw", demo_article(ESCAPE), ESCAPE),
        Labelled(BRIDES, "htw", demo_article(BRIDES), BRIDES),
        Labelled(BROKERS, "htw", demo_article(BROKERS), BROKERS),
    ]
    cfr = _paragraphs(CFR_ORIGINAL)
    edited = [
        "A reader sent us this piece on the underground railroad; worth reading in full.",
        cfr[3].replace("’", "'").replace("—", "-"),
        cfr[4].replace("Kirkpatrick", "Kirkpatrick,"),
    ]
    brokers = _paragraphs(BROKERS)
    derived = [
        Labelled(
            "blog/cfr",
            "blog",
            _derived("blog/cfr", "blog", edited + CHROME, 6, "CFR"),
            CFR_ORIGINAL,
        ),
        Labelled(
            "blog/rrm",
            "blog",
            _derived(
                "blog/rrm",
                "blog",
                _paragraphs(RRM_OPINION)[:2] + CHROME,
                900,
                "Refugee Rights Monitor",
            ),
            RRM_OPINION,
        ),
        Labelled(
            "blog/link",
            "blog",
            _derived("blog/link", "blog", [demo_article(WORST).title, *CHROME], 1),
            "blog/link",
        ),
        Labelled(
            "wire/brokers",
            "wire",
            _derived("wire/brokers", "wire", [*brokers, STOCK], 200),
            BROKERS,
        ),
        Labelled(
            "wire/escape",
            "wire",
            _derived("wire/escape", "wire", [STOCK, *_paragraphs(ESCAPE)[1:]], 300),
            ESCAPE,
        ),
    ]
    return tuple(seeds + derived)


def with_text(labelled: Labelled, text: str) -> Labelled:
    return dataclasses.replace(labelled, article=dataclasses.replace(labelled.article, text=text))


def at(day: int) -> datetime:
    return datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=day)


def save(store: Store, outlet: str, article, day: int, config: DedupConfig = DEFAULT):
    """What a crawl does for one page: a matcher from the store, dedup, then storage."""
    matcher = load_matcher(store, config)
    fingerprint = matcher.fingerprint(article.text)
    links = matcher.ingest(article.url, outlet, fingerprint)
    with store.session() as session, session.begin():
        return save_article(session, OUTLETS[outlet], article, fingerprint, links, config, at(day))


def copy_of(article, url: str, text: str | None = None):
    """A later copy of ``article`` at ``url``, without a credit line."""
    return dataclasses.replace(
        article,
        url=url,
        text=text or article.text,
        attribution=None,
        published=article.published + timedelta(days=2),
    )


def tag_archive_doc() -> Doc:
    """The tag archive's text, as if a listing slipped past the page classifier."""
    text = "\n".join(
        trafilatura.extract(demo_page(p)[0])
        for p in ("htw/tag/north-korea", "htw/tag/north-korea/page/2")
    )
    return Doc("htw/tag/north-korea", text, None, "Human Traffic Watch")
