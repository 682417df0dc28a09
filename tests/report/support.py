"""What the report tests share: hostile values that try to run code, what a page did, file URLs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HOSTILE_TITLE = '<script>alert("title")</script> Breaking'
HOSTILE_OUTLET = 'Evil <b>Outlet</b> & "Co"'
HOSTILE_REPOSTER = "Reposter\"><script>alert('outlet')</script>"
HOSTILE_PARAGRAPHS = [
    "Officials said the <img src=x onerror=alert('text')> border crossings rose sharply this "
    "year as brokers raised their fees again.",
    "Families wait for weeks </textarea><svg onload=alert('svg')> before any word arrives from "
    "the other side of the river.",
    "A third paragraph closes the report with a quote from a broker about prices and risks.",
]


@dataclass
class Visit:
    """What a page did while a test looked at it: every request and every dialog."""

    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
