"""scrapy-redis' request serializer (``SCHEDULER_SERIALIZER``): JSON, not its default pickle.

The queue lives on a server every worker reads; a pickle from it would run
whatever code its writer chose. A request's dict (``Request.to_dict``) is
JSON but for its bytes: the body and header values are written as
``{"__bytes__": base64}``, header names as Latin-1 text (Scrapy's ``Headers``
takes either back).
"""

from __future__ import annotations

import base64
import json
from typing import Any


def dumps(obj: Any) -> str:
    return json.dumps(_text_keys(obj), default=_bytes)


def loads(text: str | bytes) -> Any:
    return json.loads(text, object_hook=_unbytes)


def _text_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k.decode("latin-1") if isinstance(k, bytes) else k: _text_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_text_keys(v) for v in value]
    return value


def _bytes(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"a request's {type(value).__name__} cannot be queued in Redis: {value!r}")


def _unbytes(value: dict[str, Any]) -> Any:
    if set(value) == {"__bytes__"}:
        return base64.b64decode(value["__bytes__"])
    return value
