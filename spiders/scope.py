"""The crawl's gate: every request Scrapy sends passes ``aggregator.scope`` first (issue 11).

A downloader middleware sees every request: page links, sitemap index
entries, feeds, API pages, robots.txt, and the new request each redirect
(301/302/307/308) or meta refresh makes. It runs before robots.txt is fetched
for a host (priority 40, below RobotsTxtMiddleware's 100), so a refused host is
never contacted at all. The host is resolved with the crawl's own resolver (the
one the download uses next, from its cache), and every address is checked;
the address a response actually came from is checked again.

A refused request fails with ``RefusedRequest`` (Scrapy's ``IgnoreRequest``),
counted as ``aggregator/refused/<reason>``; the spider's errback records it in
the crawl state, so it is never queued again.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IAddress, IHostResolution, IResolutionReceiver
from zope.interface import implementer

from aggregator.config import load_config
from aggregator.scope import BAD_URL, OFFSITE, PRIVATE_ADDRESS, SCHEME, Scope, Scopes, target

logger = logging.getLogger(__name__)

_SUSPICIOUS = (SCHEME, BAD_URL, PRIVATE_ADDRESS)

Resolve = Callable[[str], Awaitable[list[str]]]


class RefusedRequest(IgnoreRequest):
    """A request ``aggregator.scope`` does not allow; ``reason`` is one of its REASONS."""

    def __init__(self, reason: str, url: str) -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"refused ({reason}): {url}")


class ScopeMiddleware:
    """Refuses, before any connection, what an outlet may not fetch; counts each refusal."""

    def __init__(self, scopes: Scopes, stats: Any, resolve: Resolve) -> None:
        self.scopes = scopes
        self.stats = stats
        self.resolve = resolve
        self.homes: dict[str, Scope] = {}  # outlet key -> its scope, knowing where it lives

    @classmethod
    def from_crawler(cls, crawler: Any) -> ScopeMiddleware:
        config = load_config(crawler.settings["AGGREGATOR_CONFIG"])
        return cls(Scopes(config.outlets.values()), crawler.stats, resolve_host)

    async def process_request(self, request: Request) -> None:
        key = request.meta.get("outlet")
        # Scrapy's own requests (robots.txt) carry no outlet: they may go where an
        # outlet of the crawl may go, by that outlet's rules.
        judge = key if key is not None else self.owner(request.url)
        if judge is None or judge not in self.scopes.outlets:
            self.refuse(request, key, OFFSITE)
        redirected = bool(request.meta.get("redirect_urls"))
        reason = self.scopes.refusal(judge, request.url, redirected) or await self.address_refusal(
            judge, request.url
        )
        if reason is not None:
            self.refuse(request, key, reason)

    def owner(self, url: str) -> str | None:
        """The first outlet allowed to fetch ``url`` by its URL alone."""
        return next((k for k in self.scopes.outlets if self.scopes.refusal(k, url) is None), None)

    def process_response(self, request: Request, response: Response) -> Response:
        """The address the answer came from is checked too (a name resolving differently
        between the check and the connection); not behind a proxy, which is the peer then."""
        key = request.meta.get("outlet")
        address = response.ip_address
        if key not in self.homes or address is None or request.meta.get("proxy"):
            return response
        parts = target(response.url)
        port = parts.port if parts else 0
        if self.homes[key].address_refusal(port, [str(address)]) is not None:
            self.refuse(request, key, PRIVATE_ADDRESS)
        return response

    async def address_refusal(self, key: str, url: str) -> str | None:
        parts = target(url)
        assert parts is not None  # the URL passed Scopes.refusal
        addresses = await self.addresses(parts.host)
        if not addresses:
            raise DNSLookupError(f"{parts.host}: no address found")
        home = await self.home(key)
        return home.address_refusal(parts.port, addresses)

    async def home(self, key: str) -> Scope:
        """The outlet's scope with the addresses its configured hosts resolve to: where it lives."""
        if key not in self.homes:
            scope = Scope.of(self.scopes.outlets[key])
            endpoints = [
                (address, port)
                for host, port in sorted(scope.origins)
                for address in await self.addresses(host)
            ]
            self.homes[key] = scope.living_at(endpoints)
        return self.homes[key]

    async def addresses(self, host: str) -> list[str]:
        if _is_address(host):
            return [host]
        return await self.resolve(host)

    def refuse(self, request: Request, key: str | None, reason: str) -> NoReturn:
        self.stats.inc_value(f"aggregator/refused/{reason}")
        if key is not None:
            self.stats.inc_value(f"aggregator/outlet/{key}/refused")
        hops = request.meta.get("redirect_urls") or []
        via = f" (redirected from {hops[0]})" if hops else ""
        # Links and redirects to other sites are everyday web; the rest is worth a look.
        level = logging.WARNING if reason in _SUSPICIOUS else logging.INFO
        logger.log(level, "refused (%s): %s%s", reason, request.url, via)
        raise RefusedRequest(reason, request.url)


async def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to, by the reactor's resolver (the one downloads use)."""
    from twisted.internet import reactor

    receiver = _Addresses()
    reactor.nameResolver.resolveHostName(receiver, host)  # type: ignore[attr-defined]
    return await maybe_deferred_to_future(receiver.done)


@implementer(IResolutionReceiver)
class _Addresses:
    """Collects a name's addresses; a name that does not resolve completes with none."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.done: Deferred[list[str]] = Deferred()

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        pass

    def addressResolved(self, address: IAddress) -> None:
        self.found.append(address.host)  # type: ignore[attr-defined]

    def resolutionComplete(self) -> None:
        self.done.callback(self.found)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
