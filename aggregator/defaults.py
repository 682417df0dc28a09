"""Every default setting in one place (the scrapy-redis habit).

Scrapy settings use these names (each may also come from the environment, merged
when a crawl starts: ``spiders.environment``), and the CLI's options default to
them, so ``aggregator crawl``, ``scrapy crawl`` and ``aggregator dedup`` agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aggregator.errors import ConfigError

# Where things live (relative to the working directory, like a cron job's `cd`).
AGGREGATOR_CONFIG = "data/outlets.toml"
AGGREGATOR_DB = "sqlite:///data/aggregator.sqlite"
# Seconds a crawl waits for another one writing to the same store before it stops (exit 5).
AGGREGATOR_LOCK_WAIT = 0.0

# Who we are, for the User-Agent; a contact URL or e-mail is polite to set.
AGGREGATOR_CONTACT = ""

# Extraction: a page whose cleaned text is shorter than this is not an article.
AGGREGATOR_MIN_ARTICLE_WORDS = 25

# Dedup (issue 4). Words per shingle: five-word shingles stay inside one paragraph.
AGGREGATOR_DEDUP_SHINGLE_SIZE = 5
# Whole-text MinHash sketches (datasketch) for the near-duplicate LSH index; sketches
# compare only under the same num_perm and seed, so both are stored with them.
AGGREGATOR_DEDUP_NUM_PERM = 64
AGGREGATOR_DEDUP_SEED = 1
# Jaccard similarity of whole texts at which the LSH index makes two articles candidates.
AGGREGATOR_DEDUP_LSH_THRESHOLD = 0.5
# One shingle in this many is an "anchor" (chosen by its hash, so two texts sharing a
# passage share its anchors); articles sharing anchors are candidates for verification.
AGGREGATOR_DEDUP_ANCHOR_RATE = 8
# ...and two articles are candidates when they share at least this many anchors.
AGGREGATOR_DEDUP_MIN_ANCHORS = 2
# ...which must also be this share of the smaller article's anchors: a repost shares most
# of them, two unrelated articles only a few stock phrases.
AGGREGATOR_DEDUP_ANCHOR_SHARE = 0.2
# Share of the smaller article's shingles found in the larger one to call it a repost.
AGGREGATOR_DEDUP_CONTAINMENT = 0.6
# ...and at least this many shared shingles (about two short paragraphs), so a
# stock phrase or one shared quote never merges two stories.
AGGREGATOR_DEDUP_MIN_SHARED = 30
# When the article carries at least this share of the canonical's text, it is a full
# copy ("repost"); less is an "excerpt".
AGGREGATOR_DEDUP_FULL_COPY = 0.8
# A paragraph seen in this many articles of one outlet is that outlet's chrome. Not
# fewer: a site that reposts one story three or four times (updates, a lead excerpt
# beside the full copy) would make that story's paragraphs its chrome, and its pages
# carrying only them would link to nothing (issue 10).
AGGREGATOR_DEDUP_BOILERPLATE_ARTICLES = 5
# Fingerprints of stored articles kept in memory during a crawl (the rest are read
# from the store when a candidate needs verifying).
AGGREGATOR_DEDUP_CACHE_SIZE = 20000
# The story writer's window (issue 15, item 3): articles fetched this many days before the
# newest one leave its index, so its memory stops growing with the store; an article is
# then compared only with the window's. 0: no window, every stored article is indexed.
AGGREGATOR_DEDUP_WINDOW_DAYS = 0

# Extraction: a text line longer than this is never dropped as chrome by the
# text-level safety net (chrome lines are short: "Share this:", "Posted in News").
AGGREGATOR_EXTRACT_MAX_CHROME_LINE_WORDS = 40

# Crawling (issue 5). `aggregator crawl --set NAME=VALUE` or `scrapy crawl -s` override them.
# Fetch stored articles again even when nothing says they changed (`aggregator crawl --refresh`).
AGGREGATOR_CRAWL_REFRESH = False
# WordPress REST API: posts per page (WordPress allows up to 100) and pages read per run.
AGGREGATOR_CRAWL_API_PER_PAGE = 100
AGGREGATOR_CRAWL_MAX_API_PAGES = 200
# Feed pages (WordPress `?paged=N`) read per feed and run.
AGGREGATOR_CRAWL_MAX_FEED_PAGES = 50
# Archive pages wait at most this many seconds for the newest-first sources (REST API,
# feeds, sitemaps) to answer their first page, so articles are found through them.
AGGREGATOR_CRAWL_SOURCES_WAIT = 20.0
# Sitemap bombs: index nesting, decompressed size (the protocol's 50 MB), sitemaps per outlet and run.
AGGREGATOR_CRAWL_SITEMAP_DEPTH = 3
AGGREGATOR_CRAWL_SITEMAP_MAX_BYTES = 50 * 1024 * 1024
AGGREGATOR_CRAWL_MAX_SITEMAPS = 1000
# The longest a Retry-After answer makes a host wait, in seconds.
AGGREGATOR_CRAWL_RETRY_AFTER_MAX = 300.0
# Extraction runs in this many worker processes, off Scrapy's reactor thread;
# -1 means one per core, 0 extracts in the reactor thread (blocking it).
AGGREGATOR_CRAWL_EXTRACT_WORKERS = -1
# A dead extraction worker (out of memory, a crash) is replaced this many times a run;
# once more and the crawl stops with exit 7 (issue 11, item 4).
AGGREGATOR_CRAWL_WORKER_RESTARTS = 3

# Past one machine (issue 15, docs/cluster.md): a Redis server shared by crawl workers and the
# story writer. Empty: the crawl runs on one machine, as always.
AGGREGATOR_REDIS_URL = ""
# Seconds between two requests to one host, across every worker (an outlet's delay may be longer).
AGGREGATOR_CLUSTER_HOST_DELAY = 0.0
# Stream entries the story writer has not committed yet, before workers wait for it.
AGGREGATOR_CLUSTER_MAX_PENDING = 10_000
# A worker with nothing to do for this many seconds exits (0: it waits for work for ever).
AGGREGATOR_WORKER_IDLE_EXIT = 0.0


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The AGGREGATOR_* settings ``environ`` sets, typed like their defaults.

    A cron job's environment then reaches ``aggregator crawl``, ``scrapy crawl`` and
    ``aggregator dedup`` alike.
    """
    found: dict[str, Any] = {}
    for name, default in globals().items():
        if name.startswith("AGGREGATOR_") and name in environ:
            found[name] = _typed(name, environ[name], default)
    return found


def _typed(name: str, text: str, default: Any) -> Any:
    if isinstance(default, bool):
        if text.strip().lower() not in _BOOLEANS:
            raise ConfigError(f"environment variable {name}: {text!r} is not true or false")
        return _BOOLEANS[text.strip().lower()]
    if isinstance(default, int | float):
        try:
            return type(default)(text)
        except ValueError:
            raise ConfigError(
                f"environment variable {name}: {text!r} is not a {type(default).__name__}"
            ) from None
    return text


_BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
