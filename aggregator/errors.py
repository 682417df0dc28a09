"""The exceptions aggregator raises: one tree, each class with the exit code the CLI gives it.

AggregatorError                 base class; exit 1
├── UnknownStoryError           a story id the store does not hold; exit 1
├── OutputPathError             an export's output path cannot or must not be written; exit 1
├── ExportError                 an export cannot be written as asked (format, options); exit 1
├── DiscoveryError              a feed, sitemap or API page is unusable; never reaches the CLI:
│   │                           the crawl counts it by its ``kind`` and goes on
│   ├── NotAFeed                ``feed_invalid``: not RSS, Atom or JSON Feed (or declares entities)
│   ├── NotASitemap             ``sitemap_invalid``: not a urlset or sitemap index
│   ├── TooLarge                ``sitemap_too_large``: over the size limit once decompressed
│   └── NotAnApiPage            ``api_invalid``: not a WordPress REST API list of posts
├── ConfigError                 outlets.toml, a setting or variable is wrong (file, line, key); exit 2
│   ├── UnknownOutletError      an outlet key on the command line is not configured; exit 2
│   └── UnsetVariableError      a ``${NAME}`` in outlets.toml names an unset variable; exit 2
├── StoreError                  the store is missing, cannot be opened, migrated or written; exit 3
│   └── StoreLockedError        another crawl holds the store's lock; exit 5
├── NothingFetchedError         a crawl fetched no page at all; exit 4
├── OutletsFailedError          a crawl fetched nothing from some outlets; exit 6
├── WorkersDiedError            extraction workers kept dying, the crawl stopped; exit 7
├── WriterDiedError             the crawl's store writer process died, the crawl stopped; exit 8
└── ClusterError                Redis cannot be reached or used (a worker, the story writer); exit 9
    └── EntryError              a stream entry that does not decode (set aside, never applied); exit 9

Not an exception: a crawl stopped by Ctrl-C or SIGTERM exits ``EXIT_INTERRUPTED``
(130) with a notice, not an error; the next run resumes. Usage errors (a bad
option) exit 2, as click's do.
"""

from __future__ import annotations

EXIT_INTERRUPTED = 130


class AggregatorError(Exception):
    """Base class of every error aggregator raises on purpose."""

    exit_code = 1


class UnknownStoryError(AggregatorError):
    """A story id the store does not hold (a typo, or a story merged away by a rebuild)."""

    def __init__(self, story_id: int) -> None:
        self.story_id = story_id
        super().__init__(f"no story with id {story_id}")


class OutputPathError(AggregatorError):
    """The output path names something an export must not write to (exit 1, with the reason)."""


class ExportError(AggregatorError):
    """An export cannot be written as asked; exit 1 with the message."""


class DiscoveryError(AggregatorError, ValueError):
    """A discovery page could not be used; ``kind`` names the error for the crawl's counts."""

    kind = "parse"


class NotAFeed(DiscoveryError):
    """The body is not an RSS, Atom or JSON Feed document (or declares XML entities)."""

    kind = "feed_invalid"


class NotASitemap(DiscoveryError):
    """The body is not a sitemaps.org urlset or sitemap index."""

    kind = "sitemap_invalid"


class TooLarge(DiscoveryError):
    """The (decompressed) body is larger than the limit: a sitemap bomb, say."""

    kind = "sitemap_too_large"


class NotAnApiPage(DiscoveryError):
    """The body is not a WordPress REST API list of posts."""

    kind = "api_invalid"


class ConfigError(AggregatorError):
    """Configuration is invalid; the message names the file, line and key."""

    exit_code = 2


class UnknownOutletError(ConfigError):
    """An outlet key was asked for that the configuration does not define."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        self.unknown = unknown
        self.known = known
        super().__init__(
            f"unknown outlet{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}; "
            f"known outlets: {', '.join(known) or '(none)'}"
        )


class UnsetVariableError(ConfigError):
    """A value names an environment variable that is not set."""


class StoreError(AggregatorError):
    """The story store is missing, or cannot be opened, migrated or written."""

    exit_code = 3


class StoreLockedError(StoreError):
    """Another crawl holds the store's lock; exit 5 so a cron job can tell it from a failure."""

    exit_code = 5


class NothingFetchedError(AggregatorError):
    """The crawl fetched no page at all: the network, DNS or every outlet is down."""

    exit_code = 4

    def __init__(self) -> None:
        super().__init__("no page could be fetched (see the errors above)")


class OutletsFailedError(AggregatorError):
    """The crawl fetched pages, but nothing from these outlets."""

    exit_code = 6

    def __init__(self, outlets: list[str]) -> None:
        self.outlets = outlets
        super().__init__(f"nothing could be fetched from {', '.join(outlets)}")


class WorkersDiedError(AggregatorError):
    """The extraction workers kept dying (out of memory, a crash): the crawl stopped and the
    pages it had not finished are fetched again by the next run."""

    exit_code = 7


class WriterDiedError(AggregatorError):
    """The crawl's store writer process died (killed, out of memory): the crawl stopped, and
    what the writer had not committed is fetched again by the next run."""

    exit_code = 8


class ClusterError(AggregatorError):
    """Redis cannot be reached or used by a worker or the story writer (issue 15); exit 9."""

    exit_code = 9


class EntryError(ClusterError):
    """A stream entry that is not a change this version can read: set aside, never applied."""


__all__ = [
    "EXIT_INTERRUPTED",
    "AggregatorError",
    "ClusterError",
    "ConfigError",
    "DiscoveryError",
    "EntryError",
    "ExportError",
    "NotAFeed",
    "NotASitemap",
    "NotAnApiPage",
    "NothingFetchedError",
    "OutletsFailedError",
    "OutputPathError",
    "StoreError",
    "StoreLockedError",
    "TooLarge",
    "UnknownOutletError",
    "UnknownStoryError",
    "UnsetVariableError",
    "WorkersDiedError",
    "WriterDiedError",
]
