"""What the crawler may fetch, decided in one place (issue 11, findings 1 and 2).

Every request of a crawl, each redirect hop and meta refresh included, is
checked here before it is sent (``spiders.scope.ScopeMiddleware`` asks), and
links are followed only where ``in_scope`` says. A URL is refused for one of
these reasons:

- ``scheme``: not http or https (``file:``, ``ftp:``, ``data:``, ``gopher:`` ...);
- ``bad_url``: no host, or a port or address that cannot be read;
- ``offsite``: the host is not one of the outlet's (the hosts of its ``url``,
  ``feeds``, ``sitemaps`` and ``start_urls``, with or without ``www.``) and
  the outlet does not allow links off-site (``offsite = true``);
- ``other_outlet``: a redirect (or meta refresh) leads inside another
  configured outlet and out of this one: an article belongs to the outlet
  that served it;
- ``private_address``: the host resolves to a loopback, private, link-local,
  multicast or other non-public address where the outlet does not itself live.
  The demo lives on 127.0.0.1, so its own address and port are allowed there
  and nothing else is (not 127.0.0.2, not another port of 127.0.0.1).

Plain Python: no Scrapy, no I/O. Names are resolved by the caller with the
crawl's own resolver, so the address checked is the address connected to.

    >>> from aggregator.config import Outlet
    >>> scope = Scope.of(Outlet("htw", "https://htw.example.org/", "HTW"))
    >>> scope.refusal("file:///etc/passwd")
    'scheme'
    >>> scope.refusal("https://www.htw.example.org/2012/10/post/") is None
    True
    >>> scope.refusal("https://elsewhere.example.com/")
    'offsite'
    >>> scope.address_refusal(80, ["169.254.169.254"])
    'private_address'
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from aggregator.config import Outlet

SCHEME, BAD_URL, OFFSITE, OTHER_OUTLET, PRIVATE_ADDRESS = (
    "scheme",
    "bad_url",
    "offsite",
    "other_outlet",
    "private_address",
)
REASONS = (SCHEME, BAD_URL, OFFSITE, OTHER_OUTLET, PRIVATE_ADDRESS)
SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# NAT64's well-known prefix carries an IPv4 address in its last 32 bits (RFC 6052).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Endpoint = tuple[IPAddress, int]


@dataclass(frozen=True)
class Target:
    """The parts of a URL a fetch decision needs: scheme, host (lower case, no final dot), port."""

    scheme: str
    host: str
    port: int


def target(url: str) -> Target | None:
    """Scheme, host and port of an absolute URL; None when there is no host or port to read."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port out of range or not a number, a broken [IPv6] literal
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    return Target(scheme, _ascii_host(host), port or _DEFAULT_PORTS.get(scheme, 0))


def is_public(address: IPAddress) -> bool:
    """Is ``address`` on the public internet: not loopback, private, link-local, reserved,
    shared or multicast, and not one of those carried inside an IPv6 address?"""
    if address.is_multicast or not address.is_global:
        return False
    embedded = _embedded_ipv4(address)
    return embedded is None or is_public(embedded)


@dataclass(frozen=True)
class Scope:
    """Where one outlet's crawl may go: its hosts, and the addresses it lives at."""

    outlet: str
    hosts: frozenset[str]
    origins: frozenset[tuple[str, int]]  # (host, port) the configuration names
    offsite: bool = False
    lives_at: frozenset[Endpoint] = frozenset()  # the origins' addresses, once resolved

    @classmethod
    def of(cls, outlet: Outlet) -> Scope:
        """The outlet's scope from its configuration (cached: outlets are immutable)."""
        return _scope_of(outlet)

    def living_at(self, endpoints: Iterable[tuple[str, int]]) -> Scope:
        """This scope, knowing the addresses (and ports) its configured origins resolved to."""
        found = {(_address(a), port) for a, port in endpoints}
        return replace(self, lives_at=frozenset((a, p) for a, p in found if a is not None))

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be fetched for this outlet, judged on the URL alone; None if it may."""
        parts = target(url)
        if parts is None:
            return SCHEME if _scheme(url) not in SCHEMES else BAD_URL
        if parts.scheme not in SCHEMES:
            return SCHEME
        if not self.offsite and parts.host not in self.hosts:
            return OFFSITE
        return None

    def address_refusal(self, port: int, addresses: Iterable[str]) -> str | None:
        """Why a host resolving to ``addresses`` may not be fetched on ``port``; None if it may.

        Every address must be public, or one the outlet itself lives at on that
        port: a connection may go to any of them.
        """
        for text in addresses:
            address = _address(text)
            if address is None:
                return BAD_URL
            if not is_public(address) and (address, port) not in self.lives_at:
                return PRIVATE_ADDRESS
        return None


class Scopes:
    """The scopes of every configured outlet, to tell whose a URL is."""

    def __init__(self, outlets: Iterable[Outlet]) -> None:
        self.outlets = {outlet.key: outlet for outlet in outlets}

    def refusal(self, key: str, url: str, redirected: bool = False) -> str | None:
        """Why outlet ``key`` may not fetch ``url``: its own rules, and for a redirect hop the
        claims of other outlets (whose pages it would otherwise store as its own)."""
        outlet = self.outlets[key]
        reason = Scope.of(outlet).refusal(url)
        if reason is not None or not redirected or in_scope(url, outlet):
            return reason
        others = (other for k, other in self.outlets.items() if k != key)
        return OTHER_OUTLET if any(in_scope(url, other) for other in others) else None


def in_scope(url: str, outlet: Outlet) -> bool:
    """Does ``url`` belong to ``outlet``: on its hosts, under its home directory or matching
    its ``allow`` patterns, and matching none of its ``deny`` patterns?

    ``allow`` patterns reach another host only when the outlet allows off-site links.
    """
    if Scope.of(outlet).refusal(url) is not None:
        return False
    if outlet.allow:
        inside = any(re.search(pattern, url) for pattern in outlet.allow)
    else:
        inside = url.startswith(outlet.scope)
    return inside and not any(re.search(pattern, url) for pattern in outlet.deny)


@lru_cache(maxsize=1024)
def _scope_of(outlet: Outlet) -> Scope:
    # A pure function of an immutable outlet: called for every link a page holds.
    urls = (outlet.url, *outlet.feeds, *outlet.sitemaps, *outlet.start_urls)
    origins = {(t.host, t.port) for t in map(target, urls) if t is not None}
    hosts = {variant for host, _ in origins for variant in _www_variants(host)}
    return Scope(outlet.key, frozenset(hosts), frozenset(origins), outlet.offsite)


def _scheme(url: str) -> str:
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return url.strip().partition(":")[0].lower()


def _www_variants(host: str) -> tuple[str, ...]:
    """A site answers with and without ``www.``; an address literal has no variants."""
    if _address(host) is not None:
        return (host,)
    bare = host.removeprefix("www.")
    return (bare, f"www.{bare}")


def _ascii_host(host: str) -> str:
    """Host names compared in their ASCII (IDNA) form, as requests send them."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]").split("%")[0])
    except ValueError:
        return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


__all__ = [
    "REASONS",
    "Scope",
    "Scopes",
    "Target",
    "in_scope",
    "is_public",
    "target",
]
