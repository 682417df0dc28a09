"""The dedup settings are declared once: DedupConfig's fields, their defaults in
aggregator.defaults, and the dedup command's options all name the same settings."""

from __future__ import annotations

from dataclasses import fields

from aggregator import defaults
from aggregator.cli import main
from aggregator.dedup import DedupConfig

PREFIX = "AGGREGATOR_DEDUP_"


def test_every_dedup_default_is_a_config_field_and_back() -> None:
    settings = {name for name in vars(defaults) if name.startswith(PREFIX)}
    assert settings == {PREFIX + f.name.upper() for f in fields(DedupConfig)}
    assert DedupConfig() == DedupConfig.from_settings(
        {name: getattr(defaults, name) for name in settings}
    )


def test_the_dedup_command_has_an_option_per_setting_with_its_default() -> None:
    options = {
        p.name: p for p in main.commands["dedup"].params if p.name in DedupConfig.__annotations__
    }
    exposed = {f.name for f in fields(DedupConfig) if "help" in f.metadata}
    # The cache and the window are a running matcher's; a rebuild compares every article.
    running = {"cache_size", "window_days"}
    assert set(options) == exposed and exposed >= set(DedupConfig.__annotations__) - running
    for name, option in options.items():
        assert option.default == getattr(DedupConfig(), name)
        assert option.envvar == PREFIX + name.upper()
