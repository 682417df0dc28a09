"""Outlet configuration: ``data/outlets.toml`` is the only thing a user writes.

An outlet needs a key and a home page; everything else is optional::

    [outlets.htw]
    url = "https://humantrafficwatch.wordpress.com/"
    name = "Human Traffic Watch"          # optional, defaults to the key
    platform = "wordpress"                # optional
    feeds = ["https://humantrafficwatch.wordpress.com/feed/"]

String values may name environment variables as ``${NAME}``; the bundled demo
uses ``${AGGREGATOR_DEMO_URL}`` for the address of its local server.

Every error names the file, the line and the key that is wrong.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.errors import ConfigError, UnknownOutletError

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PLATFORMS = ("wordpress", "generic")


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

    @property
    def scope(self) -> str:
        """URL prefix the outlet lives under: the directory of its home page.

        ``https://blog.example.org/`` covers the host; ``http://host/htw/``
        covers a WordPress installed in a sub-directory.
        """
        return urljoin(self.url, "./")

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

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
            for enabled, error in self.unresolved.values():
                if enabled:
                    raise error
            return [o for o in self.outlets.values() if o.enabled]
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
}
_URL_LISTS = ("feeds", "sitemaps", "start_urls")


def load_config(path: str | os.PathLike[str]) -> OutletConfig:
    """Read and validate an outlets file; raise ConfigError naming file, line and key."""
    path = Path(path)
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
    unknown_tables = sorted(set(document) - {"outlets"})
    if unknown_tables:
        key = unknown_tables[0]
        raise ConfigError(locator.where(key) + f": unknown table {key!r}; expected [outlets.KEY]")
    tables = document.get("outlets", {})
    if not isinstance(tables, dict):
        raise ConfigError(locator.where("outlets") + ": 'outlets' must be a table")
    config = OutletConfig(path=path)
    for key, table in tables.items():
        try:
            config.outlets[key] = _build_outlet(key, table, locator)
        except _UnsetVariable as exc:
            config.unresolved[key] = (table.get("enabled", True), exc)
    return config


def _build_outlet(key: str, table: object, locator: _Locator) -> Outlet:
    where = locator.where
    if not _KEY_PATTERN.match(key):
        raise ConfigError(
            where(f"outlets.{key}") + ": outlet keys use lower-case letters, digits, '-' and '_'"
        )
    if not isinstance(table, dict):
        raise ConfigError(where(f"outlets.{key}") + ": must be a table of settings")
    for name, value in table.items():
        expected = _FIELDS.get(name)
        if expected is None:
            raise ConfigError(
                where(f"outlets.{key}", name)
                + f": unknown setting {name!r}; known settings: {', '.join(_FIELDS)}"
            )
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(
                where(f"outlets.{key}", name)
                + f": {name} must be {_describe(expected)}, not {type(value).__name__}"
            )
        if expected is list and not all(isinstance(item, str) for item in value):
            raise ConfigError(where(f"outlets.{key}", name) + f": {name} must be a list of strings")
    if "url" not in table:
        raise ConfigError(
            where(f"outlets.{key}") + ": missing required setting 'url' (the home page)"
        )

    def text(name: str, default: str | None = None) -> str | None:
        value = table.get(name, default)
        return None if value is None else _expand(value, where(f"outlets.{key}", name))

    def texts(name: str) -> tuple[str, ...]:
        return tuple(_expand(v, where(f"outlets.{key}", name)) for v in table.get(name, []))

    url = text("url")
    _check_url(url, where(f"outlets.{key}", "url"))
    for name in _URL_LISTS:
        for value in texts(name):
            _check_url(value, where(f"outlets.{key}", name))
    for name in ("allow", "deny"):
        for pattern in texts(name):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    where(f"outlets.{key}", name) + f": bad pattern {pattern!r}: {exc}"
                ) from None
    platform = text("platform", "generic")
    if platform not in PLATFORMS:
        raise ConfigError(
            where(f"outlets.{key}", "platform")
            + f": platform must be one of {', '.join(PLATFORMS)}, not {platform!r}"
        )
    timezone = text("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            where(f"outlets.{key}", "timezone")
            + f": unknown time zone {timezone!r} (use an IANA name such as 'America/New_York')"
        ) from None
    max_pages = table.get("max_pages")
    if max_pages is not None and max_pages < 1:
        raise ConfigError(where(f"outlets.{key}", "max_pages") + ": max_pages must be at least 1")
    return Outlet(
        key=key,
        url=url,
        name=text("name", key),
        platform=platform,
        feeds=texts("feeds"),
        sitemaps=texts("sitemaps"),
        start_urls=texts("start_urls"),
        allow=texts("allow"),
        deny=texts("deny"),
        aliases=texts("aliases"),
        timezone=timezone,
        enabled=table.get("enabled", True),
        max_pages=max_pages,
    )


def _expand(value: str, where: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise _UnsetVariable(f"{where}: environment variable {name} is not set")
        return os.environ[name]

    return _ENV_REFERENCE.sub(substitute, value)


class _UnsetVariable(ConfigError):
    """A value names an environment variable that is not set."""


def _check_url(url: str, where: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{where}: {url!r} is not an absolute http(s) URL")


def _describe(expected: type | tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list", bool: "true or false", int: "an integer"}
    return names.get(expected, str(expected))  # type: ignore[arg-type]


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


__all__ = ["Outlet", "OutletConfig", "load_config"]
