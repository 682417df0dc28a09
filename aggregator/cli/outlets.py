"""``aggregator outlets``: what the configuration says."""

from __future__ import annotations

import click

from aggregator.cli.base import config_option, main
from aggregator.config import load_config


@main.command()
@config_option
def outlets(config_path: str) -> None:
    """List the configured outlets.

    \b
    Example:
      aggregator outlets --config data/outlets.toml
    """
    config = load_config(config_path)
    for key in config.keys:
        outlet = config.outlets.get(key)
        if outlet is None:
            click.echo(f"{key:<12} (needs {config.unresolved[key][1]})")
            continue
        state = "" if outlet.enabled else "  (crawled only when named)"
        click.echo(f"{key:<12} {outlet.name:<32} {outlet.url}{state}")
