"""Every refusal as application/problem+json (RFC 9457), naming the field at fault."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec

from domain.rules import DomainError, Refusal
from projections.pagination import BadCursor

PROBLEM_JSON = "application/problem+json"

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


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    request: Request[Any, Any, Any], status: int, detail: str, rule: str, errors: list[FieldError]
) -> Response[Problem]:
    body = Problem(
        type=f"urn:marketplace:problem:{_kebab(rule)}",
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    headers = {"X-Request-ID": request.headers.get("x-request-id", "")} if request.headers.get("x-request-id") else {}
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


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


def http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    rule = {401: "SignedIn", 403: "Allowed", 404: "Exists", 405: "MethodAllowed", 413: "BodyWithinLimit"}.get(
        error.status_code, "Http"
    )
    field = error.extra.get("field") if isinstance(error.extra, dict) else None
    errors = [FieldError(str(field), str(error.detail))] if field else []
    answer = problem(request, error.status_code, str(error.detail), rule, errors)
    if error.status_code == 401:
        answer.headers["WWW-Authenticate"] = 'Bearer realm="marketplace"'  # RFC 9110 s.11.6.1
    return answer


def bad_cursor(request: Request[Any, Any, Any], error: BadCursor) -> Response[Problem]:
    return problem(request, 400, str(error), "CursorValid", [FieldError("cursor", str(error))])


def out_of_calendar(request: Request[Any, Any, Any], error: OverflowError) -> Response[Problem]:
    """A date or time too near the ends of the calendar to convert: the request's fault, not the service's."""
    detail = "A date or time in the request is outside the years this service handles (1900 to 9000)."
    return problem(request, 400, detail, "TimeWithinCalendar", [])


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    OverflowError: out_of_calendar,
    ValidationException: validation_error,
    HTTPException: http_error,
    BadCursor: bad_cursor,
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the refusals a route can give."""
    return {
        status: ResponseSpec(data_container=Problem, description=TITLES.get(status, "Error"), media_type=PROBLEM_JSON)
        for status in statuses
    }
