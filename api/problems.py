"""Every refusal as application/problem+json (RFC 9457), naming the field at fault."""

from __future__ import annotations

import json
import logging
import re
import traceback
import uuid
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec

from domain.rules import DomainError, Refusal
from projections.engine import ViewCannotFold
from projections.pagination import BadCursor

PROBLEM_JSON = "application/problem+json"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,200}$")  # what X-Request-ID may be (api.commanding agrees)
faults = logging.getLogger("api.faults")

STATUS_FOR: dict[Refusal, int] = {
    Refusal.INVALID: 422,
    Refusal.CONFLICT: 409,
    Refusal.DUPLICATE: 409,
    Refusal.NOT_FOUND: 404,
    Refusal.FORBIDDEN: 403,
    Refusal.PRECONDITION_FAILED: 412,
}

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class FieldError(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, with the fields at fault in `errors`."""

    type: str
    title: str
    status: int
    detail: str
    instance: str = ""
    errors: list[FieldError] = []
    correlation_id: str = ""  # on a 5xx: the id the caller quotes and the fault's log line carries


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    rule: str,
    errors: list[FieldError],
) -> Response[Problem]:
    """The problem document; a 5xx always carries a correlation id (the caller's X-Request-ID, or a fresh one)."""
    correlation_id = correlation_id_of(request) if status >= 500 else ""
    body = Problem(
        type=f"urn:marketplace:problem:{_kebab(rule)}",
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
        correlation_id=correlation_id,
    )
    echoed = correlation_id or request.headers.get("x-request-id", "")
    headers = {"X-Request-ID": echoed} if echoed else {}
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def correlation_id_of(request: Request[Any, Any, Any]) -> str:
    """The caller's X-Request-ID when it is a token, else a fresh id (a malformed one is not echoed into logs);
    the same id however often one request asks, so its log line and its answer name the same."""
    known: str | None = request.state.get("correlation_id")
    if known is None:
        given = request.headers.get("x-request-id", "")
        known = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.state["correlation_id"] = known
    return known


def domain_error(request: Request[Any, Any, Any], error: DomainError) -> Response[Problem]:
    errors = [FieldError(error.field, error.message)] if error.field else []
    return problem(request, STATUS_FOR[error.kind], error.message, error.rule, errors)


def _field_of(error: dict[str, Any]) -> str:
    """Litestar names the object, not the field, when msgspec reports an unknown or missing field: name the field."""
    named = re.search(r"(?:unknown|missing required) field `([^`]+)`", str(error.get("message", "")))
    key = str(error.get("key") or "")
    if named:
        return f"{key}.{named.group(1)}" if key and key != "data" else named.group(1)
    return key if key and key != "data" else "body"


def _message_of(error: dict[str, Any]) -> str:
    """Litestar reports an empty or null body as a bare KeyError on its `data` argument."""
    message = str(error.get("message"))
    return "The request needs a JSON object as its body." if message == "'data'" else message


def validation_error(request: Request[Any, Any, Any], error: ValidationException) -> Response[Problem]:
    extra = error.extra if isinstance(error.extra, list) else []
    errors = [FieldError(_field_of(e), _message_of(e)) for e in extra]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or str(error.detail)
    return problem(request, 400, detail, "RequestValid", errors)


RULE_FOR = {
    401: "SignedIn",
    403: "Allowed",
    404: "Exists",
    405: "MethodAllowed",
    413: "BodyWithinLimit",
    415: "JsonBody",
    429: "WriteRate",
}


def http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    """An HTTP refusal; `extra` may name the field at fault and the rule. Its headers (Retry-After...) are kept."""
    if error.status_code >= 500:
        return server_fault(request, error, error.status_code)
    extra = error.extra if isinstance(error.extra, dict) else {}
    rule = str(extra.get("rule") or RULE_FOR.get(error.status_code, "Http"))
    field = extra.get("field")
    errors = [FieldError(str(field), str(error.detail))] if field else []
    answer = problem(request, error.status_code, str(error.detail), rule, errors)
    answer.headers.update(error.headers or {})
    if error.status_code == 401:
        answer.headers["WWW-Authenticate"] = 'Bearer realm="marketplace"'  # RFC 9110 s.11.6.1
    return answer


def bad_cursor(request: Request[Any, Any, Any], error: BadCursor) -> Response[Problem]:
    return problem(request, 400, str(error), "CursorValid", [FieldError("cursor", str(error))])


def out_of_calendar(request: Request[Any, Any, Any], error: OverflowError) -> Response[Problem]:
    """A date or time too near the ends of the calendar to convert: the request's fault, not the service's."""
    detail = "A date or time in the request is outside the years this service handles (1900 to 9000)."
    return problem(request, 400, detail, "TimeWithinCalendar", [])


def view_cannot_fold(request: Request[Any, Any, Any], error: ViewCannotFold) -> Response[Problem]:
    """The service's fault, not the request's: the view is named, the error is logged, not shown."""
    detail = f"The {error.view} view could not fold this request's events, so nothing was written."
    return problem(request, 500, detail, "ViewFolds", [])


def server_fault(request: Request[Any, Any, Any], error: Exception, status: int = 500) -> Response[Problem]:
    """Anything no other handler answers is this service's fault: a problem the caller can quote by its
    correlation id, and one JSON log line with that id and the traceback, so the two can be matched."""
    correlation = correlation_id_of(request)
    kind = type(error)
    line = {
        "event": "request_failed",
        "correlation_id": correlation,
        "method": request.method,
        "path": request.url.path,
        "status": status,
        "exception": f"{kind.__module__}.{kind.__qualname__}",
        "traceback": "".join(traceback.format_exception(error)),
    }
    faults.error(json.dumps(line), extra={"correlation_id": correlation})
    detail = "The service failed to answer this request. Quote the correlation id when you report it."
    if isinstance(error, HTTPException) and status != 500:
        detail = str(error.detail)  # a deliberate 5xx (503...) says what the caller can do
    return problem(request, status, detail, "Internal", [])


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    OverflowError: out_of_calendar,
    ValidationException: validation_error,
    HTTPException: http_error,
    BadCursor: bad_cursor,
    Exception: server_fault,  # the catch-all: any other exception is a 500 problem, logged once
    ViewCannotFold: view_cannot_fold,
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the refusals a route can give."""
    return {
        status: ResponseSpec(data_container=Problem, description=TITLES.get(status, "Error"), media_type=PROBLEM_JSON)
        for status in statuses
    }
