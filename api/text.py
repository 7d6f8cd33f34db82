"""Text a request carries must be text: a NUL character is refused wherever it hides.

PostgreSQL cannot store NUL in text, so it would fail deep in a command or a query (a 500); no name,
reason or identifier needs one, so it is refused at the door, naming where it was found.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

import msgspec
from litestar import Request
from litestar.exceptions import ClientException

NUL = "\x00"


def refuse_nul_in_url(request: Request[Any, Any, Any]) -> None:
    """Before any route: the path and the query string, as decoded."""
    if NUL in request.url.path:
        raise ClientException("The path may not contain a NUL character.", extra={"field": "path"})
    if b"\x00" in unquote_to_bytes(request.scope.get("query_string", b"")):
        raise ClientException("The query may not contain a NUL character.", extra={"field": "query"})


def refuse_nul_in_body(data: Any) -> None:
    """A decoded request body: the first field whose text holds a NUL is named."""
    field = _nul_at(msgspec.to_builtins(data), "")
    if field is not None:
        raise ClientException(f"{field or 'body'} may not contain a NUL character.", extra={"field": field or "body"})


def _nul_at(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                return where
            found = _nul_at(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_at(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
