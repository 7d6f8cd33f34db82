"""The OpenAPI document: say what the Structs already enforce, so clients (and fuzzers) know it."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Reference, Schema

from api.problems import PROBLEM_JSON


def _strict_structs() -> set[str]:
    found: set[str] = set()
    pending = list(msgspec.Struct.__subclasses__())
    while pending:
        struct = pending.pop()
        pending.extend(struct.__subclasses__())
        if struct.__struct_config__.forbid_unknown_fields:
            found.add(struct.__name__)
    return found


def document_unknown_fields_refused(app: Litestar) -> None:
    """Request bodies refuse unknown fields: mark them `additionalProperties: false` in the document."""
    components = app.openapi_schema.components
    strict = _strict_structs()
    for name, schema in (components.schemas or {}).items():
        if name in strict:
            schema.additional_properties = False


PROBLEM = "#/components/schemas/Problem"
EXAMPLES: dict[int, dict[str, Any]] = {
    400: {
        "type": "urn:marketplace:problem:request-valid",
        "title": "Bad request",
        "status": 400,
        "detail": "tender_deadline: a time needs its offset from UTC, such as 2027-04-01T12:00:00Z",
        "errors": [{"field": "tender_deadline", "message": "a time needs its offset from UTC"}],
    },
    401: {
        "type": "urn:marketplace:problem:signed-in",
        "title": "Not signed in",
        "status": 401,
        "detail": "Sign in: this action needs a bearer token.",
    },
    403: {
        "type": "urn:marketplace:problem:allowed",
        "title": "Not allowed",
        "status": 403,
        "detail": "This action is for the commissioner, admin role, not provider.",
    },
    404: {
        "type": "urn:marketplace:problem:exists",
        "title": "Not found",
        "status": 404,
        "detail": "No tender 5b7f3c2e-1d2a-4f7e-9a51-0c2d1e4b8a90.",
    },
    409: {
        "type": "urn:marketplace:problem:tender-open-for-bids",
        "title": "Conflict",
        "status": 409,
        "detail": "The tender deadline passed at 2027-04-01T12:00:00+00:00: no more bids.",
    },
    412: {
        "type": "urn:marketplace:problem:version-matches",
        "title": "Precondition failed",
        "status": 412,
        "detail": 'If-Match "3" is not the current version 4: read the record again and retry.',
    },
    413: {
        "type": "urn:marketplace:problem:body-within-limit",
        "title": "Request body too large",
        "status": 413,
        "detail": "Request Entity Too Large",
    },
    415: {
        "type": "urn:marketplace:problem:json-body",
        "title": "Unsupported media type",
        "status": 415,
        "detail": "Send the body as application/json.",
    },
    422: {
        "type": "urn:marketplace:problem:positive",
        "title": "Unprocessable request",
        "status": 422,
        "detail": "An amount must be more than zero.",
        "errors": [{"field": "prices.north", "message": "An amount must be more than zero."}],
    },
    429: {
        "type": "urn:marketplace:problem:write-rate",
        "title": "Too many requests",
        "status": 429,
        "detail": "Too many writes from this caller: retry after 2 seconds.",
    },
    500: {
        "type": "urn:marketplace:problem:internal",
        "title": "Internal error",
        "status": 500,
        "detail": "The service failed; it has been logged under the correlation id.",
        "correlation_id": "4b1c0f0e7a9d4f6c8e2b5a7d9c1e3f50",
    },
    503: {
        "type": "urn:marketplace:problem:available",
        "title": "Service unavailable",
        "status": 503,
        "detail": "The database does not answer.",
    },
}
DESCRIPTIONS = {401: "Not signed in", 403: "Not allowed", 404: "Not found", 400: "Bad request", 500: "Internal error"}


def _guarded(app: Litestar) -> set[tuple[str, str]]:
    """The (path, method) of every route a guard protects: it needs a bearer token, so it may answer 401/403."""
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.resolve_guards():
                path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
                found |= {(path, method.lower()) for method in handler.http_methods}
    return found


def _statuses(path: str, operation: Operation) -> set[int]:
    """What any route can answer besides what it declares: a fault; a bad parameter; a stranger's refusal."""
    statuses = {500}
    if operation.parameters or operation.request_body is not None:
        statuses.add(400)
    if "{" in path:
        statuses.add(404)
    if operation.security:
        statuses |= {401, 403}
    return statuses


def document_problems(app: Litestar) -> None:
    """On startup: every refusal of every operation is documented as problem+json with a realistic example.

    Litestar documents a bad parameter as its own plain-JSON shape; the service answers problem+json
    (api.problems), so the document must say so, or a client (or a fuzzer) is told a different contract.
    """
    guarded = _guarded(app)
    for path, item in (app.openapi_schema.paths or {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            operation: Operation | None = getattr(item, method, None)
            if operation is None:
                continue
            if (path, method) in guarded and not operation.security:
                operation.security = [{"bearerAuth": []}]
            responses = operation.responses = operation.responses or {}
            for status in _statuses(path, operation):
                responses.setdefault(str(status), OpenAPIResponse(description=DESCRIPTIONS.get(status, "Error")))
            for code, response in list(responses.items()):
                status = int(code)
                if status < 400 or not isinstance(response, OpenAPIResponse) or (path, code) == ("/ready", "503"):
                    continue
                example = EXAMPLES.get(status, EXAMPLES[400]) | {"instance": path}
                problem = OpenAPIMediaType(schema=Reference(ref=PROBLEM), example=example)
                response.content = {PROBLEM_JSON: problem}
    schemas = app.openapi_schema.components.schemas or {}
    for name in ("Problem", "FieldError"):
        component = schemas.get(name)
        if isinstance(component, Schema):
            component.examples = [EXAMPLES[422] if name == "Problem" else EXAMPLES[422]["errors"][0]]
            for property_ in (component.properties or {}).values():
                if isinstance(property_, Schema):
                    property_.examples = None
