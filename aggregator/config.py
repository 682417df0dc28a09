"""Outlet configuration: ``data/outlets.toml`` is the only thing a user writes.

An outlet needs a key and a home page; everything else is optional::

    [outlets.htw]
    url = "https://humantrafficwatch.wordpress.com/"
    name = "Human Traffic Watch"          # optional, defaults to the key
    platform = "wordpress"                # optional: also read its REST API
    feeds = ["https://humantrafficwatch.wordpress.com/feed/"]
    since = 2012-01-01                    # optional: ignore anything older
    max_pages = 500                       # optional: pages fetched per run
    concurrency = 2                       # optional: parallel requests to its host
    delay = 1.0                           # optional: seconds between requests to its host
    offsite = true                        # optional: follow links to other (public) hosts

String values may name environment variables as ``${NAME}``; the bundled demo
uses ``${AGGREGATOR_DEMO_URL}`` for the address of its local server.

Every error names the file, the line and the key that is wrong.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.errors import ConfigError, UnknownOutletError, UnsetVariableError

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PLATFORMS = ("wordpress", "generic")
# Upper bounds of the numbers an outlet may set: past them a value is a typo, not a plan.
DELAY, CONCURRENCY, MAX_PAGES = 3600, 64, 10_000_000  # seconds; requests per host; pages a run
_N = TypeVar("_N", int, float)  # a bounded value keeps its type


@dataclass(frozen=True)
class Outlet:
    """One configured outlet: where it lives and how to find its articles."""

    key: str
    url: str
    name: str
    platform: str = "generic"
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    timezone: str = "UTC"
    enabled: bool = True
    max_pages: int | None = None
    since: date | None = None  # nothing published (or modified) before this day is fetched
    concurrency: int | None = None  # parallel requests to the outlet's host
    delay: float | None = None  # seconds between two requests to the outlet's host
    site: str = "generic"  # a site adapter (aggregator.sites) for sites that need one
    offsite: bool = False  # links may lead to other hosts (public ones: aggregator.scope)

    @property
    def scope(self) -> str:
        """URL prefix the outlet lives under: the directory of its home page.

        ``https://blog.example.org/`` covers the host; ``http://host/htw/``
        covers a WordPress installed in a sub-directory.
        """
        return urljoin(self.url, "./")

    @property
    def host(self) -> str:
        """The host name Scrapy keys its per-domain download slot by."""
        return urlsplit(self.url).hostname or ""

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def since_datetime(self) -> datetime | None:
        """The since-date as an aware instant: midnight of that day in the outlet's zone."""
        if self.since is None:
            return None
        return datetime.combine(self.since, time(), self.tzinfo).astimezone(UTC)

    def names(self) -> tuple[str, ...]:
        """Every name a credit line may use for this outlet."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class OutletConfig:
    """All outlets of one configuration file, in file order."""

    path: Path
    outlets: dict[str, Outlet] = field(default_factory=dict)
    # Outlets whose values name an unset environment variable: an error only
    # when they are crawled (named, or enabled and all are crawled).
    unresolved: dict[str, tuple[bool, ConfigError]] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return sorted([*self.outlets, *self.unresolved])

    def select(self, keys: Iterable[str] = ()) -> list[Outlet]:
        """The outlets named by ``keys``, or every enabled outlet when none are named."""
        keys = list(dict.fromkeys(keys))
        if not keys:
            for wanted, error in self.unresolved.values():
                if wanted:
                    raise error
            enabled = [o for o in self.outlets.values() if o.enabled]
            if not enabled:
                raise ConfigError(
                    f"{self.path}: no enabled outlets; name the ones to crawl "
                    f"(known: {', '.join(self.keys) or 'none'})"
                )
            return enabled
        unknown = [k for k in keys if k not in self.outlets and k not in self.unresolved]
        if unknown:
            raise UnknownOutletError(unknown, self.keys)
        for key in keys:
            if key in self.unresolved:
                raise self.unresolved[key][1]
        return [self.outlets[k] for k in keys]


_FIELDS: dict[str, type | tuple[type, ...]] = {
    "url": str,
    "name": str,
    "platform": str,
    "feeds": list,
    "sitemaps": list,
    "start_urls": list,
    "allow": list,
    "deny": list,
    "aliases": list,
    "timezone": str,
    "enabled": bool,
    "max_pages": int,
    "since": (date, str),
    "concurrency": int,
    "delay": (float, int),
    "site": str,
    "offsite": bool,
}


def load_config(path: str | os.PathLike[str]) -> OutletConfig:
    """Read and validate an outlets file; raise ConfigError naming file, line and key.

    The first problem is raised; ``check_config`` lists them all.
    """
    config, problems = _read(Path(path))
    if problems:
        more = len(problems) - 1
        suffix = f" (and {more} more: run `aggregator outlets check`)" if more else ""
        raise ConfigError(problems[0] + suffix)
    return config


def check_config(path: str | os.PathLike[str]) -> list[str]:
    """Every problem of an outlets file, each naming file, line and key; [] when it is valid.

    Enabled outlets naming an unset environment variable are reported too: a
    check is run where the crawl will run, so the variable should be set there.
    (Disabled ones are crawled only when named, with the variable set.)
    """
    config, problems = _read(Path(path))
    return problems + [str(error) for enabled, error in config.unresolved.values() if enabled]


def _read(path: Path) -> tuple[OutletConfig, list[str]]:
    try:
        raw_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: outlet configuration not found (pass --config PATH or set AGGREGATOR_CONFIG)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read outlet configuration: {exc}") from None
    try:
        document = tomllib.loads(raw_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    locator = _Locator(path, raw_text)
    config = OutletConfig(path=path)
    problems = [
        locator.where(key) + f": unknown table {key!r}; expected [outlets.KEY]"
        for key in sorted(set(document) - {"outlets"})
    ]
    tables = document.get("outlets", {})
    if not isinstance(tables, dict):
        return config, [*problems, locator.where("outlets") + ": 'outlets' must be a table"]
    for key, table in tables.items():
        checker = _Checker(key, locator)
        try:
            outlet = checker.build(table)
        except UnsetVariableError as exc:
            config.unresolved[key] = (table.get("enabled", True), exc)
            continue
        problems.extend(checker.problems)
        if outlet is not None and not checker.problems:
            config.outlets[key] = outlet
    return config, problems


class _Checker:
    """Validates one outlet table, collecting every problem rather than stopping at the first."""

    def __init__(self, key: str, locator: _Locator) -> None:
        self.key = key
        self.locator = locator
        self.problems: list[str] = []

    def where(self, name: str | None = None) -> str:
        return self.locator.where(f"outlets.{self.key}", name)

    def problem(self, name: str | None, message: str) -> None:
        self.problems.append(f"{self.where(name)}: {message}")

    def build(self, table: object) -> Outlet | None:
        if not _KEY_PATTERN.match(self.key):
            self.problem(None, "outlet keys use lower-case letters, digits, '-' and '_'")
        if not isinstance(table, dict):
            self.problem(None, "must be a table of settings")
            return None
        typed = {name: value for name, value in table.items() if self._typed(name, value)}
        values = {name: self._value(name, value) for name, value in typed.items()}
        if "url" not in table:
            self.problem(None, "missing required setting 'url' (the home page)")
        if "url" not in values:
            return None
        return Outlet(key=self.key, name=values.pop("name", self.key), **values)

    def _typed(self, name: str, value: Any) -> bool:
        expected = _FIELDS.get(name)
        if expected is None:
            self.problem(name, f"unknown setting {name!r}; known settings: {', '.join(_FIELDS)}")
            return False
        if not isinstance(value, expected) or (
            isinstance(value, bool) and expected in (int, (float, int))
        ):
            self.problem(name, f"{name} must be {_describe(expected)}, not {type(value).__name__}")
            return False
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            self.problem(name, f"{name} must be a list of strings")
            return False
        return True

    def _value(self, name: str, value: Any) -> Any:
        """The setting's value, expanded and checked; problems are recorded, not raised."""
        if isinstance(value, str):
            value = _expand(value, self.where(name))
        elif isinstance(value, list):
            value = tuple(_expand(item, self.where(name)) for item in value)
        check = getattr(self, f"_check_{name}", None)
        return check(value) if check else value

    def _check_url(self, url: str) -> str:
        self._absolute(url, "url")
        return url

    def _check_feeds(self, urls: tuple[str, ...]) -> tuple[str, ...]:
        return self._absolute_all(urls, "feeds")

    def _check_sitemaps(self, urls: tuple[str, ...]) -> tuple[str, ...]:
        return self._absolute_all(urls, "sitemaps")

    def _check_start_urls(self, urls: tuple[str, ...]) -> tuple[str, ...]:
        return self._absolute_all(urls, "start_urls")

    def _absolute_all(self, urls: tuple[str, ...], name: str) -> tuple[str, ...]:
        for url in urls:
            self._absolute(url, name)
        return urls

    def _absolute(self, url: str, name: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.problem(name, f"{url!r} is not an absolute http(s) URL")

    def _check_allow(self, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return self._patterns(patterns, "allow")

    def _check_deny(self, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return self._patterns(patterns, "deny")

    def _patterns(self, patterns: tuple[str, ...], name: str) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.problem(name, f"bad pattern {pattern!r}: {exc}")
        return patterns

    def _check_platform(self, platform: str) -> str:
        if platform not in PLATFORMS:
            self.problem(
                "platform", f"platform must be one of {', '.join(PLATFORMS)}, not {platform!r}"
            )
        return platform

    def _check_site(self, site: str) -> str:
        from aggregator.sites import SITES  # the adapters import this module

        if site not in SITES:
            self.problem("site", f"site must be one of {', '.join(SITES)}, not {site!r}")
        return site

    def _check_timezone(self, timezone: str) -> str:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(
                "timezone",
                f"unknown time zone {timezone!r} (use an IANA name such as 'America/New_York')",
            )
        return timezone

    def _check_max_pages(self, value: int) -> int:
        return self._bounded("max_pages", value, "max_pages must be at least 1", 1, MAX_PAGES)

    def _check_concurrency(self, value: int) -> int:
        return self._bounded("concurrency", value, "concurrency must be at least 1", 1, CONCURRENCY)

    def _check_delay(self, value: float) -> float:
        return float(self._bounded("delay", value, "delay must be 0 or more seconds", 0, DELAY))

    def _bounded(self, name: str, value: _N, too_low: str, low: float, high: float) -> _N:
        """A finite number in [low, high]: TOML reads ``inf`` and ``nan`` as numbers, and a
        crawl with ``delay = inf`` hangs (issue 11, finding 12)."""
        if not math.isfinite(value):
            self.problem(name, f"{name} must be a finite number, not {value}")
        elif value < low:
            self.problem(name, too_low)
        elif value > high:
            self.problem(name, f"{name} must be at most {high:,}")
        return value

    def _check_since(self, value: date | str) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem("since", f"since must be a date such as 2012-01-01, not {value!r}")
            return None


def _expand(value: str, where: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise UnsetVariableError(f"{where}: environment variable {name} is not set")
        return os.environ[name]

    return _ENV_REFERENCE.sub(substitute, value)


def _describe(expected: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        list: "a list",
        bool: "true or false",
        int: "an integer",
        (float, int): "a number",
        (date, str): "a date",
    }
    return names.get(expected, str(expected))


class _Locator:
    """Finds the line of a table or key in the raw TOML, for error messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def where(self, table: str, key: str | None = None) -> str:
        line = self._line_of(table, key)
        location = f"{self.path}:{line}" if line else str(self.path)
        dotted = f"{table}.{key}" if key else table
        return f"{location}: {dotted}"

    def _line_of(self, table: str, key: str | None) -> int | None:
        header = re.compile(
            r"^\s*\[\s*" + r"\s*\.\s*".join(map(_quoted, table.split("."))) + r"\s*\]"
        )
        for number, line in enumerate(self.lines, start=1):
            if header.match(line):
                if key is None:
                    return number
                return self._key_line(number, key) or number
        return None

    def _key_line(self, header_line: int, key: str) -> int | None:
        assignment = re.compile(r"^\s*" + _quoted(key) + r"\s*=")
        for number in range(header_line + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if re.match(r"^\s*\[", line):
                return None
            if assignment.match(line):
                return number
        return None


def _quoted(name: str) -> str:
    escaped = re.escape(name)
    return rf"(?:{escaped}|\"{escaped}\"|'{escaped}')"


__all__ = ["Outlet", "OutletConfig", "check_config", "load_config"]
