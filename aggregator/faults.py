"""Faults a crawl survives: naming what went wrong, waiting as asked, reading mislabelled text.

Scrapy-free (issue 5, item 6): the spider passes exception class names and
header values in, and counts what comes back under ``aggregator/errors/<kind>``.
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from w3lib.encoding import html_body_declared_encoding

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


def decode_html(body: bytes, declared: str | None) -> tuple[str, str | None]:
    """The page's text, and what was wrong with its charset (None when nothing was).

    ``declared`` is the Content-Type header's charset; without one, the page's
    own <meta> declaration counts.
    A page labelled Latin-1/Windows-1252 that is valid UTF-8 (the usual
    misconfiguration) is read as UTF-8; a page labelled UTF-8 that is not is
    read as Windows-1252; an unknown label falls back to UTF-8 with
    replacement characters. The text is always readable; the problem is counted.
    """
    declared = declared or html_body_declared_encoding(body)
    encoding = _known(declared)
    if declared and encoding is None:
        return body.decode("utf-8", errors="replace"), "unknown_charset"
    if encoding in (None, "utf-8"):
        try:
            return body.decode("utf-8"), None
        except UnicodeDecodeError:
            problem = "wrong_charset" if encoding else "missing_charset"
            return body.decode("cp1252", errors="replace"), problem
    if encoding in ("latin-1", "iso8859-1", "cp1252") and _is_utf8_beyond_ascii(body):
        return body.decode("utf-8"), "wrong_charset"
    return body.decode(encoding, errors="replace"), None


def _known(declared: str | None) -> str | None:
    if not declared:
        return None
    try:
        return codecs.lookup(declared.strip().strip("\"'")).name
    except LookupError:
        return None


def _is_utf8_beyond_ascii(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(byte > 0x7F for byte in body)
