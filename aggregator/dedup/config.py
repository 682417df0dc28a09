"""DedupConfig: the thresholds and sketch parameters of story detection, validated in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from aggregator import defaults
from aggregator.errors import ConfigError

MAX_WINDOW_DAYS = 36_500  # a century: past it, date arithmetic overflows for no use


def _option(default: Any, help: str) -> Any:
    """A setting the ``dedup`` command also takes as ``--name`` (with this help)."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class DedupConfig:
    """How articles are compared: the AGGREGATOR_DEDUP_* settings, one field each.

    Their defaults (and what each means) are in ``aggregator.defaults``;
    ``from_settings`` reads them from Scrapy settings, and the ``dedup`` command
    has an option for each field with a help text.

    Stored fingerprints depend on ``shingle_size`` only, stored sketches on
    ``num_perm`` and ``seed`` too; every other value can change and
    ``aggregator dedup --rebuild`` recomputes the stories without re-reading any
    text (sketches of another ``num_perm`` or ``seed`` are recomputed from the
    stored fingerprints).
    """

    shingle_size: int = _option(
        defaults.AGGREGATOR_DEDUP_SHINGLE_SIZE,
        "Words per shingle (changing it re-reads the texts).",
    )
    num_perm: int = _option(
        defaults.AGGREGATOR_DEDUP_NUM_PERM, "Permutations of the whole-text MinHash sketches."
    )
    seed: int = _option(defaults.AGGREGATOR_DEDUP_SEED, "Seed of those permutations.")
    lsh_threshold: float = _option(
        defaults.AGGREGATOR_DEDUP_LSH_THRESHOLD, "Whole-text Jaccard that makes LSH candidates."
    )
    anchor_rate: int = _option(
        defaults.AGGREGATOR_DEDUP_ANCHOR_RATE, "One shingle in this many is an anchor."
    )
    min_anchors: int = _option(
        defaults.AGGREGATOR_DEDUP_MIN_ANCHORS, "Shared anchors that make two articles candidates."
    )
    anchor_share: float = _option(
        defaults.AGGREGATOR_DEDUP_ANCHOR_SHARE,
        "...and their least share of the smaller one's anchors.",
    )
    containment: float = _option(
        defaults.AGGREGATOR_DEDUP_CONTAINMENT, "Share of the smaller text found in the larger."
    )
    min_shared: int = _option(
        defaults.AGGREGATOR_DEDUP_MIN_SHARED, "Shared shingles a repost needs at least."
    )
    full_copy: float = _option(
        defaults.AGGREGATOR_DEDUP_FULL_COPY, "Share of the canonical a full copy carries."
    )
    boilerplate_articles: int = _option(
        defaults.AGGREGATOR_DEDUP_BOILERPLATE_ARTICLES,
        "Articles of one outlet that make a paragraph chrome.",
    )
    cache_size: int = defaults.AGGREGATOR_DEDUP_CACHE_SIZE
    # The story writer's alone: ``dedup --rebuild`` compares every stored article.
    window_days: int = defaults.AGGREGATOR_DEDUP_WINDOW_DAYS

    def __post_init__(self) -> None:
        if not 1 <= self.shingle_size <= 16:
            raise ConfigError(
                f"dedup shingle_size must be between 1 and 16, got {self.shingle_size}"
            )
        if not 16 <= self.num_perm <= 1024:
            raise ConfigError(f"dedup num_perm must be between 16 and 1024, got {self.num_perm}")
        if self.seed < 0:
            raise ConfigError(f"dedup seed must be at least 0, got {self.seed}")
        if not 0.0 < self.lsh_threshold < 1.0:
            raise ConfigError(f"dedup lsh_threshold must be in (0, 1), got {self.lsh_threshold}")
        if not 1 <= self.anchor_rate <= 64:
            raise ConfigError(f"dedup anchor_rate must be between 1 and 64, got {self.anchor_rate}")
        if not 0.0 <= self.anchor_share <= 1.0:
            raise ConfigError(f"dedup anchor_share must be in [0, 1], got {self.anchor_share}")
        if self.min_anchors < 1:
            raise ConfigError(f"dedup min_anchors must be at least 1, got {self.min_anchors}")
        for name in ("containment", "full_copy"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"dedup {name} must be in (0, 1], got {value}")
        if self.min_shared < 1:
            raise ConfigError(f"dedup min_shared must be at least 1, got {self.min_shared}")
        if self.boilerplate_articles < 2:
            raise ConfigError(
                f"dedup boilerplate_articles must be at least 2, got {self.boilerplate_articles}"
            )
        if self.cache_size < 0:
            raise ConfigError(f"dedup cache_size must be at least 0, got {self.cache_size}")
        if not 0 <= self.window_days <= MAX_WINDOW_DAYS:
            raise ConfigError(
                f"dedup window_days must be between 0 (no window) and {MAX_WINDOW_DAYS}, "
                f"got {self.window_days}"
            )

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> DedupConfig:
        """Build from AGGREGATOR_DEDUP_* settings (Scrapy settings or a plain dict)."""
        values: dict[str, Any] = {}
        for setting in fields(cls):
            name = f"AGGREGATOR_DEDUP_{setting.name.upper()}"
            if name in settings and settings[name] is not None:
                caster = float if isinstance(setting.default, float) else int
                try:
                    values[setting.name] = caster(settings[name])
                except (TypeError, ValueError):
                    raise ConfigError(
                        f"setting {name}: {settings[name]!r} is not a number"
                    ) from None
        return cls(**values)
