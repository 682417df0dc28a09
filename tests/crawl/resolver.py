"""A DNS resolver for tests: 127.0.0.1 and localhost resolve, every other name fails at once.

Crawls under test never ask a real DNS server, and a DNS failure can be
played on purpose: ``--set DNS_RESOLVER=tests.crawl.resolver.LocalOnlyResolver``.
"""

from __future__ import annotations

from collections.abc import Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

_LOCAL = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1"}


class LocalOnlyResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        if name in _LOCAL:
            return defer.succeed(_LOCAL[name])
        return defer.fail(DNSLookupError(f"{name}: no such host (tests resolve only 127.0.0.1)"))
