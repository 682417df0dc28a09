"""What may be fetched, decided by ``aggregator.scope`` alone, and the middleware that asks it.

Addresses outside loopback (169.254.169.254, private ranges, public ones) appear
only here, where nothing connects: the scope check and a resolver stub that
answers without a network.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from ipaddress import ip_address

import pytest
from scrapy import Request
from twisted.internet.error import DNSLookupError

from aggregator.config import Outlet
from aggregator.scope import Scope, Scopes, in_scope, is_public, target
from spiders.scope import RefusedRequest, ScopeMiddleware

HTW = Outlet(
    "htw",
    "https://htw.example.org/",
    "Human Traffic Watch",
    feeds=("https://feeds.example.net/htw.xml",),
)
DEMO = Outlet("demo", "http://127.0.0.1:8000/htw/", "Demo")
WIDE = Outlet("wide", "https://planet.example.org/", "Planet", offsite=True, allow=("/",))
SIBLING = Outlet("sibling", "http://127.0.0.1:8000/cfr/", "Demo CFR")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://htw.example.org/2012/10/20/post/", None),
        ("http://htw.example.org/2012/10/20/post/", None),  # http and https alike
        ("https://www.htw.example.org/2012/10/20/post/", None),  # with or without www.
        ("https://HTW.example.org./about/", None),  # case and a final dot
        ("https://feeds.example.net/other.xml", None),  # a host its config names
        ("https://htw.example.org:8443/x", None),  # another port of its own public host
        ("https://evil.example.com/", "offsite"),
        ("https://htw.example.org.evil.example.com/", "offsite"),
        ("https://htw.example.org@evil.example.com/", "offsite"),  # credentials trick
        ("http://169.254.169.254/latest/meta-data/", "offsite"),
        ("file:///etc/passwd", "scheme"),
        ("file:///dev/zero", "scheme"),
        ("ftp://htw.example.org/feed.xml", "scheme"),
        ("gopher://htw.example.org:70/", "scheme"),
        ("data:text/html,<p>hi</p>", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("//htw.example.org/relative", "scheme"),
        ("https:///no-host", "bad_url"),
        ("https://htw.example.org:99999/", "bad_url"),
        ("https://htw.example.org:port/", "bad_url"),
        ("http://[::1/", "bad_url"),
    ],
)
def test_a_url_is_judged_on_its_scheme_and_host(url: str, reason: str | None) -> None:
    assert Scope.of(HTW).refusal(url) == reason


def test_an_outlet_allowed_off_site_may_go_to_any_host() -> None:
    scope = Scope.of(WIDE)
    assert scope.refusal("https://elsewhere.example.com/post/") is None
    assert scope.refusal("file:///etc/passwd") == "scheme", "but only over http(s)"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.0.0.2",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "255.255.255.255",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public(ip_address(address))
    assert Scope.of(HTW).address_refusal(443, [address]) == "private_address"


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public(ip_address(address))
    assert Scope.of(HTW).address_refusal(443, [address]) is None


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    refusal = Scope.of(HTW).address_refusal(443, ["93.184.216.34", "10.0.0.1"])
    assert refusal == "private_address"


def test_an_outlet_living_on_loopback_may_fetch_there_and_nowhere_else_there() -> None:
    scope = Scope.of(DEMO).living_at([("127.0.0.1", 8000)])
    assert scope.address_refusal(8000, ["127.0.0.1"]) is None
    assert scope.address_refusal(6379, ["127.0.0.1"]) == "private_address", "another port"
    assert scope.address_refusal(8000, ["127.0.0.2"]) == "private_address", "another address"


def test_a_redirect_into_another_outlet_is_not_followed() -> None:
    scopes = Scopes([DEMO, SIBLING])
    hop = {"redirected": True}
    assert scopes.refusal("demo", "http://127.0.0.1:8000/cfr/post/", **hop) == "other_outlet"
    assert scopes.refusal("demo", "http://127.0.0.1:8000/htw/post/", **hop) is None
    assert scopes.refusal("demo", "http://127.0.0.1:8000/robots.txt", **hop) is None, "nobody's"
    # What the spider asks for itself (a sitemap an index names) is judged by its own rules.
    assert scopes.refusal("demo", "http://127.0.0.1:8000/cfr/sitemap.xml") is None


def test_allow_patterns_reach_another_host_only_off_site() -> None:
    narrow = Outlet("n", "https://a.example.org/", "A", allow=("/blog/",))
    assert not in_scope("https://evil.example.com/blog/x", narrow)
    assert in_scope("https://a.example.org/blog/x", narrow)
    assert in_scope("https://evil.example.com/blog/x", WIDE)


def test_targets_are_read_safely() -> None:
    assert target("https://Example.ORG./a") == target("https://example.org:443/b")
    assert target("http://[::1]:8080/") is not None
    assert target("not a url") is None


# The middleware, with a resolver stub: nothing here opens a connection.

RESOLVES = {
    "htw.example.org": ["93.184.216.34"],
    "www.htw.example.org": ["93.184.216.34"],
    "feeds.example.net": ["93.184.216.35"],
    "metadata.example.org": ["169.254.169.254"],
    "split.example.org": ["93.184.216.36", "10.1.2.3"],
}


class Stats(Counter):
    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] += count


def middleware(*outlets: Outlet) -> tuple[ScopeMiddleware, Stats, list[str]]:
    asked: list[str] = []

    async def resolve(host: str) -> list[str]:
        asked.append(host)
        return RESOLVES.get(host, [])

    stats = Stats()
    return ScopeMiddleware(Scopes(outlets), stats, resolve), stats, asked


def check(mw: ScopeMiddleware, url: str, **meta: object) -> str | None:
    """The reason the middleware refuses ``url`` (None when it lets it through)."""
    try:
        asyncio.run(mw.process_request(Request(url, meta=meta)))
    except RefusedRequest as refused:
        return refused.reason
    return None


def test_the_middleware_refuses_a_name_resolving_to_a_private_address() -> None:
    wide = Outlet("wide", "https://htw.example.org/", "HTW", offsite=True)
    mw, stats, _ = middleware(wide)
    assert check(mw, "https://htw.example.org/post/", outlet="wide") is None
    assert check(mw, "https://metadata.example.org/latest/", outlet="wide") == "private_address"
    assert check(mw, "https://split.example.org/", outlet="wide") == "private_address"
    assert check(mw, "http://10.0.0.1/", outlet="wide") == "private_address"
    assert check(mw, "http://[::ffff:169.254.169.254]/", outlet="wide") == "private_address"
    assert stats["aggregator/refused/private_address"] == 4
    assert stats["aggregator/outlet/wide/refused"] == 4


def test_the_middleware_judges_redirect_hops_like_any_request() -> None:
    mw, stats, _ = middleware(HTW)
    hop = {"outlet": "htw", "redirect_urls": ["https://htw.example.org/moved/"]}
    assert check(mw, "http://169.254.169.254/latest/meta-data/", **hop) == "offsite"
    assert check(mw, "file:///etc/passwd", **hop) == "scheme"
    assert check(mw, "https://www.htw.example.org/moved-here/", **hop) is None
    assert stats["aggregator/refused/offsite"] == 1
    assert stats["aggregator/refused/scheme"] == 1


def test_the_middleware_refuses_before_resolving_what_the_url_alone_refuses() -> None:
    mw, _, asked = middleware(HTW)
    assert check(mw, "https://evil.example.com/", outlet="htw") == "offsite"
    assert asked == []


def test_scrapys_own_requests_go_only_where_an_outlet_may() -> None:
    mw, _, _ = middleware(HTW)
    assert check(mw, "https://htw.example.org/robots.txt") is None
    assert check(mw, "https://evil.example.com/robots.txt") == "offsite"


def test_a_name_that_does_not_resolve_fails_as_dns() -> None:
    mw, _, _ = middleware(Outlet("x", "https://nowhere.example.org/", "X"))
    with pytest.raises(DNSLookupError):
        check(mw, "https://nowhere.example.org/", outlet="x")
