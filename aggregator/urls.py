"""URL normalisation and which links to follow: one article is one URL, and a crawl stays
on its outlet (``aggregator.scope`` decides what may be fetched at all)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from aggregator.config import Outlet
from aggregator.scope import in_scope

_TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|igshid|ref|ref_src|cid|co|"
    r"share|nb|amp|output|replytocom|like_comment|_wpnonce)$",
    re.IGNORECASE,
)
_INDEX_PAGE = re.compile(r"/index\.(?:html?|php|aspx?)$", re.IGNORECASE)

# Links a crawler never follows on any platform: log-ins, share buttons, comment
# replies, per-post comment feeds, media files.
NEVER_FOLLOW = re.compile(
    r"/wp-(?:login\.php|admin/|signup\.php)|/xmlrpc\.php|/trackback/?$|/comment-page-\d+"
    r"|[?&](?:share|replytocom|like_comment|like|action|redirect_to|s)="
    r"|/[^/]+/feed/?$|/comments/feed/?$|/embed/?$|/amp/?$"
    r"|\.(?:jpe?g|png|gif|webp|svg|ico|pdf|docx?|xlsx?|pptx?|zip|gz|mp3|mp4|m4a|mov|avi|css|js)(?:\?|$)",
    re.IGNORECASE,
)


def normalize_url(url: str) -> str:
    """Canonical form: no fragment, no tracking parameters, sorted query, no trailing index page."""
    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMS.match(k)
    ]
    path = _INDEX_PAGE.sub("/", parts.path) or "/"
    cleaned = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def should_follow(url: str, outlet: Outlet) -> bool:
    """A link worth crawling: the outlet's (``aggregator.scope.in_scope``), and not a log-in,
    share button, comment feed or media file."""
    return not NEVER_FOLLOW.search(url) and in_scope(url, outlet)
