"""A DNS resolver for tests: loopback names resolve, every other name fails at once.

Crawls under test never ask a real DNS server, and a DNS failure can be
played on purpose: ``--set TWISTED_DNS_RESOLVER=tests.crawl.resolver.LocalOnlyResolver``.
``internal.test`` and its subdomains resolve to 127.0.0.2, a second loopback
address that plays an internal host the crawler must never reach (issue 11).
"""

from __future__ import annotations

from collections.abc import Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

_LOCAL = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1"}
INTERNAL_NAME = "internal.test"
INTERNAL_ADDRESS = "127.0.0.2"


class LocalOnlyResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        if name in _LOCAL:
            return defer.succeed(_LOCAL[name])
        if name == INTERNAL_NAME or name.endswith(f".{INTERNAL_NAME}"):
            return defer.succeed(INTERNAL_ADDRESS)
        return defer.fail(DNSLookupError(f"{name}: no such host (tests resolve only loopback)"))
