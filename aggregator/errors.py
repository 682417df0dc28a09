"""The exceptions aggregator raises, one tree the CLI maps to exit codes.

AggregatorError                 base class; exit code 1
├── UnknownStoryError           a story id the store does not hold; exit 1
├── ConfigError                 outlets.toml or a setting is wrong (names file, line, key); exit 2
│   └── UnknownOutletError      an outlet key on the command line is not configured; exit 2
├── StoreError                  the store cannot be opened or written; exit 3
└── WorkersDiedError            extraction workers kept dying, the crawl stopped; exit 7
"""

from __future__ import annotations


class AggregatorError(Exception):
    """Base class of every error aggregator raises on purpose."""

    exit_code = 1


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


class UnknownStoryError(AggregatorError):
    """A story id the store does not hold (a typo, or a story merged away by a rebuild)."""

    def __init__(self, story_id: int) -> None:
        self.story_id = story_id
        super().__init__(f"no story with id {story_id}")


class StoreError(AggregatorError):
    """The story store cannot be opened, migrated or written."""

    exit_code = 3


class WorkersDiedError(AggregatorError):
    """The extraction workers kept dying (out of memory, a crash): the crawl stopped and the
    pages it had not finished are fetched again by the next run."""

    exit_code = 7


__all__ = [
    "AggregatorError",
    "ConfigError",
    "StoreError",
    "UnknownOutletError",
    "UnknownStoryError",
    "WorkersDiedError",
]
