"""Reading a response header: Scrapy keeps them as bytes; HTTP header values are Latin-1."""

from __future__ import annotations

from scrapy.http import Response


def header(response: Response, name: str) -> str | None:
    """The first value of header ``name`` as text, or None when the response has none."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
