"""Faults a crawl survives: naming what went wrong, waiting as asked (mislabelled text is
``aggregator.charsets``'s).

Scrapy-free (issue 5, item 6): the spider passes exception class names and
header values in, and counts what comes back under ``aggregator/errors/<kind>``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Exception class names (Scrapy's, Twisted's, the standard library's) -> error kind.
_KINDS = {
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "UserTimeoutError": "timeout",
    "CannotResolveHostError": "dns",
    "DNSLookupError": "dns",
    "DownloadConnectionRefusedError": "connection",
    "ConnectionRefusedError": "connection",
    "ConnectionLost": "connection",
    "ConnectionDone": "connection",
    "DownloadFailedError": "connection",
    "ResponseFailed": "connection",
    "ResponseNeverReceived": "connection",
    "ResponseDataLossError": "truncated",
    "_DataLoss": "truncated",
    "DownloadCancelledError": "too_large",
}


def error_kind(exception_name: str, message: str = "", status: int | None = None) -> str:
    """The kind an error is counted as: timeout, dns, http_503, redirect_loop, too_large, ...

    >>> error_kind("HttpError", status=503)
    'http_503'
    >>> error_kind("IgnoreRequest", "max redirections reached")
    'redirect_loop'
    """
    if status is not None:
        return f"http_{status}"
    if "redirect" in message.lower():
        return "redirect_loop"
    if "maxsize" in message.lower() or "larger than" in message.lower():
        return "too_large"
    if "dataloss" in message.lower().replace(" ", "") or "data loss" in message.lower():
        return "truncated"
    return _KINDS.get(exception_name, exception_name.lower() or "unknown")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
