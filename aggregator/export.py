"""Export formats: one story per record, reposts nested."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

FORMATS = ("jsonl",)


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write JSON Lines; return how many records were written."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
