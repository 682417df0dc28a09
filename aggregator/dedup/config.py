"""DedupConfig: the thresholds and sketch parameters of story detection, validated in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from aggregator import defaults
from aggregator.errors import ConfigError


@dataclass(frozen=True)
class DedupConfig:
    """How articles are compared. Sketches only compare with the same num_perm and seed,
    so both are stored with every signature."""

    num_perm: int = defaults.AGGREGATOR_DEDUP_NUM_PERM
    seed: int = defaults.AGGREGATOR_DEDUP_SEED
    shingle_size: int = defaults.AGGREGATOR_DEDUP_SHINGLE_SIZE
    window_tokens: int = defaults.AGGREGATOR_DEDUP_WINDOW_TOKENS
    lsh_threshold: float = defaults.AGGREGATOR_DEDUP_LSH_THRESHOLD
    containment: float = defaults.AGGREGATOR_DEDUP_CONTAINMENT
    min_shared: int = defaults.AGGREGATOR_DEDUP_MIN_SHARED
    full_copy: float = defaults.AGGREGATOR_DEDUP_FULL_COPY
    boilerplate_articles: int = defaults.AGGREGATOR_DEDUP_BOILERPLATE_ARTICLES

    def __post_init__(self) -> None:
        if self.num_perm < 16:
            raise ConfigError(f"dedup num_perm must be at least 16, got {self.num_perm}")
        if not 1 <= self.shingle_size <= 16:
            raise ConfigError(
                f"dedup shingle_size must be between 1 and 16, got {self.shingle_size}"
            )
        if self.window_tokens < self.shingle_size:
            raise ConfigError(
                f"dedup window_tokens ({self.window_tokens}) must be at least "
                f"shingle_size ({self.shingle_size})"
            )
        for name in ("lsh_threshold", "containment", "full_copy"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"dedup {name} must be in (0, 1], got {value}")
        if self.min_shared < 1:
            raise ConfigError(f"dedup min_shared must be at least 1, got {self.min_shared}")
        if self.boilerplate_articles < 2:
            raise ConfigError(
                f"dedup boilerplate_articles must be at least 2, got {self.boilerplate_articles}"
            )

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> DedupConfig:
        """Build from AGGREGATOR_DEDUP_* settings (Scrapy settings or a plain dict)."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            name = f"AGGREGATOR_DEDUP_{field.name.upper()}"
            if name in settings and settings[name] is not None:
                caster = float if isinstance(field.default, float) else int
                try:
                    values[field.name] = caster(settings[name])
                except (TypeError, ValueError):
                    raise ConfigError(
                        f"setting {name}: {settings[name]!r} is not a number"
                    ) from None
        return cls(**values)
