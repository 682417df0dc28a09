"""``aggregator outlets`` and ``aggregator outlets check``: what the configuration says."""

from __future__ import annotations

import click

from aggregator.cli.base import config_option, echo, main
from aggregator.config import check_config, load_config
from aggregator.errors import ConfigError


@main.group(invoke_without_command=True)
@config_option
@click.pass_context
def outlets(ctx: click.Context, config_path: str) -> None:
    """List the configured outlets (``outlets check`` validates the file).

    \b
    Example:
      aggregator outlets --config data/outlets.toml
    """
    ctx.obj = config_path
    if ctx.invoked_subcommand is not None:
        return
    config = load_config(config_path)
    for key in config.keys:
        outlet = config.outlets.get(key)
        if outlet is None:
            echo(f"{key:<12} (needs {config.unresolved[key][1]})")
            continue
        state = "" if outlet.enabled else "  (crawled only when named)"
        echo(f"{key:<12} {outlet.name:<32} {outlet.url}{state}")


@outlets.command()
@click.pass_obj
def check(config_path: str) -> None:
    """Validate the outlets file and report every error with its file, line and key.

    Exits 0 when the file is valid, 2 otherwise.

    \b
    Example:
      aggregator outlets --config data/outlets.toml check
    """
    problems = check_config(config_path)
    for problem in problems:
        echo(f"error: {problem}", err=True)
    if problems:
        raise ConfigError(f"{config_path}: {len(problems)} error{'s' * (len(problems) > 1)}")
    count = len(load_config(config_path).outlets)
    echo(f"{config_path}: {count} outlets, no errors")
