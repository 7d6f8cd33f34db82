"""The request decoder's door: a body a route reads as JSON must be JSON, in UTF-8, nested within a limit.

Litestar decodes a body only for a handler that takes `data`, parses it as JSON whatever its Content-Type
says, and lets two decode failures escape as 500s: invalid UTF-8 inside a string (UnicodeDecodeError) and
deep nesting (RecursionError). `refuse_bodies_that_are_not_json` runs before each such route, after its
guards: it decodes the body itself and hands Litestar the result through the connection's state, so a write
still costs one decode plus two byte counts; the depth is measured only when the counts allow it to exceed
the limit, and then on the bytes, in C.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.utils.scope.state import ScopeState

from api.fields import exact_number

MAX_DEPTH = 32  # objects and arrays inside one another: many times what any route's body needs
JSON_MEDIA_TYPES = "application/json or application/*+json, in UTF-8"
BODY_RULES = (
    f"Request bodies are JSON ({JSON_MEDIA_TYPES}; anything else is 415), valid UTF-8, "
    f"nested at most {MAX_DEPTH} levels deep and at most 1 MiB (413); otherwise 400 naming the body."
)

# Numbers with a fraction or exponent are read exactly (api.fields.exact_number): a money field then judges
# 1e400 or 0.001000000000000001 itself, naming the field, instead of a float losing or refusing it here.
_decoder = msgspec.json.Decoder(float_hook=exact_number)
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, escapes and all
_ONE_BRACKET = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


async def refuse_bodies_that_are_not_json(request: Request[Any, Any, Any]) -> None:
    """Before a route that takes a JSON body: refuse any other media type (415) and any body that is not JSON."""
    if not takes_body(request.route_handler):
        return
    content_type = request.headers.get("content-type")
    if content_type:
        refuse_media_types_but_json(content_type)
    body = await request.body()
    if not body:
        return  # the route's own answer: the request needs a JSON object as its body
    if not content_type:
        raise _not_json("The body has no Content-Type")
    ScopeState.from_scope(request.scope).json = decode(body)


def takes_body(handler: BaseRouteHandler) -> bool:
    """Whether the handler reads a body: a `data` parameter (Litestar parses each signature once)."""
    return "data" in handler.parsed_fn_signature.parameters


def refuse_media_types_but_json(content_type: str) -> None:
    if content_type == "application/json":
        return
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    structured = media_type.startswith("application/") and media_type.endswith("+json")  # RFC 6839
    if media_type != "application/json" and not structured:
        raise _not_json(f"The body is sent as {media_type or 'nothing'}")
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            raise _not_json(f"The body is sent in {value.strip()}")


def decode(body: bytes) -> Any:
    """The body as JSON values, or a 400 naming the body: not UTF-8, not JSON, or nested too deeply."""
    try:
        value = _decoder.decode(body)
    except UnicodeDecodeError as error:
        raise _bad_body("The body is not valid UTF-8: JSON text must be encoded in UTF-8.") from error
    except RecursionError as error:
        raise _too_deep() from error
    except msgspec.DecodeError as error:
        reason = str(error).removeprefix("JSON is malformed: ")
        raise _bad_body(f"The body is not valid JSON: {reason[:1].lower()}{reason[1:]}.") from error
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and deeper_than(body, MAX_DEPTH):
        raise _too_deep()
    return value


def deeper_than(body: bytes, limit: int) -> bool:
    """Whether a valid JSON text nests objects and arrays more than `limit` levels, measured on the bytes.

    With strings removed, the brackets alone are the shape; each pass of `replace` drops the containers
    that hold no container, so the shape empties in exactly as many passes as it is deep. All in C: a
    1 MiB body of brackets costs milliseconds, where walking the decoded values cost a second."""
    shape = _STRINGS.sub(b"", body).translate(_ONE_BRACKET, _NOT_BRACKETS)
    for _ in range(limit):
        shape = shape.replace(b"[]", b"")
        if not shape:
            return False
    return True


def _bad_body(detail: str) -> ClientException:
    return ClientException(detail, extra={"field": "body", "rule": "JsonBody"})


def _too_deep() -> ClientException:
    return _bad_body(f"The body nests objects and arrays more than {MAX_DEPTH} levels deep.")


def _not_json(what: str) -> HTTPException:
    detail = f"{what}: send it as {JSON_MEDIA_TYPES} (Content-Type: application/json)."
    return HTTPException(status_code=415, detail=detail, extra={"field": "Content-Type", "rule": "JsonBody"})
