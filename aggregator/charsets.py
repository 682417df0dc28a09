"""Bytes to text: a page's charset from its labels, checked against its bytes (issue 11, item 7).

Labels lie: a server's Content-Type says ISO-8859-1 for a UTF-8 page, or a
page in Windows-1251 or Shift_JIS is labelled something else, and the text
was stored as mojibake. The order here:

1. a byte-order mark decides (UTF-8, UTF-16 and UTF-32 pages carry one);
2. bytes that are valid UTF-8 beyond ASCII are UTF-8, whatever the label;
3. one label (header or <meta>) is used while the bytes are plausible in it;
   labels that disagree, or a label the bytes do not fit, are settled from the
   bytes with charset-normalizer (as Scrapy and requests do), among the labels
   first;
4. no label: Windows-1252 when plausible (the web's default), else detected.

The text is always readable; what was wrong is returned, for the crawl to count.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, read_bom

_DEFAULT = "cp1252"


def decode_html(body: bytes, declared: str | None) -> tuple[str, str | None]:
    """The page's text, and what was wrong with its charset (None when nothing was).

    ``declared`` is the Content-Type header's charset; the page's own <meta>
    declaration is read from ``body``.

    >>> decode_html("<p>café</p>".encode(), "iso-8859-1")
    ('<p>café</p>', 'wrong_charset')
    >>> decode_html("<p>café</p>".encode("utf-16"), None)
    ('<p>café</p>', None)
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return body[len(bom) :].decode(bom_encoding, errors="replace"), None
    labels = [label for label in (declared, html_body_declared_encoding(body)) if label]
    known = list(dict.fromkeys(e for e in map(_known, labels) if e))
    unknown = "unknown_charset" if any(_known(label) is None for label in labels) else None
    if body.isascii() and all(_ascii_compatible(e) for e in known):  # most pages: nothing to guess
        return body.decode("ascii"), unknown
    if _is_utf8_beyond_ascii(body):
        wrong = len(known) > 1 or (known and "utf-8" not in known)  # a label said otherwise
        return body.decode("utf-8"), "wrong_charset" if wrong else unknown
    if len(known) > 1:  # header and <meta> disagree: the bytes decide between them
        return _decode(body, _detect(body, known)), "wrong_charset"
    if known:
        if _plausible(body, known[0]):
            return _decode(body, known[0]), unknown
        return _decode(body, _detect(body)), "wrong_charset"
    encoding = _DEFAULT if _plausible(body, _DEFAULT) else _detect(body)
    return _decode(body, encoding), unknown or "missing_charset"


def _known(label: str) -> str | None:
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None


def _ascii_compatible(encoding: str) -> bool:
    return "<meta charset>".encode(encoding, errors="replace") == b"<meta charset>"


def _is_utf8_beyond_ascii(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _plausible(body: bytes, encoding: str) -> bool:
    """Do the bytes decode in ``encoding`` to text that reads like a language, not mojibake?"""
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return from_bytes(body, cp_isolation=[encoding]).best() is not None


def _detect(body: bytes, among: list[str] | None = None) -> str:
    """The encoding the bytes read best in: among ``among`` first, else any."""
    best = from_bytes(body, cp_isolation=among).best() if among else None
    best = best or from_bytes(body).best()
    return best.encoding if best is not None else _DEFAULT


def _decode(body: bytes, encoding: str) -> str:
    return body.decode(encoding, errors="replace")
