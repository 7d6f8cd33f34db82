"""360Giving checks for tests: the package schema (offline), the codelists, and a few data-quality warnings.

The schemas and codelists are the standard's own files, shipped in `schemas/360giving` (see its README); nothing
here reaches the network. Three layers, because the standard has three: what the JSON Schema says (an error),
what the codelists say (the schema only annotates them, so they are checked here: an error), and what the
community's quality checks flag (advice, not invalidity: a warning).
"""

from __future__ import annotations

import calendar
import copy
import csv
import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "360giving"
GRANT_SCHEMA = SCHEMAS / "360-giving-schema.json"
PACKAGE_SCHEMA = SCHEMAS / "360-giving-package-schema.json"
CODELISTS = SCHEMAS / "codelists"

# The standard writes "YYYY-MM-DD" as this regex, not as `format: date`; a regex cannot know that February has no
# 30th, so wherever it appears the validator also asks the format checker for a real calendar date.
DATE_PATTERN = "^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$"
NEEDED_FORMATS = ("date", "date-time")

# Organisation and grant identifiers: the standard's guidance asks for a hyphen as separator and underscores in
# place of spaces and special characters, and warns against slashes. ASCII letters and digits, '-', '_', '.' and ':'
# (org-id list codes and some registers use the last two) are expected; anything else is worth a look.
IDENTIFIER = re.compile(r"[A-Za-z0-9_.:-]+")
GRANT_PREFIX = "360G-"
MESSAGE_LIMIT = 300


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON document, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _with_calendar_dates(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` in which the standard's YYYY-MM-DD regex also demands `format: date`.

    Only tightens: every value this accepts the file accepts too. The shipped file itself is never edited.
    """
    tightened = copy.deepcopy(schema)
    found = 0
    for node in _walk(tightened):
        if node.get("pattern") == DATE_PATTERN:
            node.setdefault("format", "date")
            found += 1
    if not found:
        raise RuntimeError(f"no {DATE_PATTERN!r} pattern in the schema: has the standard changed how it spells dates?")
    return tightened


def remote_refs(schema: dict[str, Any] | None = None) -> list[str]:
    """The absolute `$ref`s the package schema makes (read from the file): each must be mapped to a local copy."""
    document = _load(PACKAGE_SCHEMA) if schema is None else schema
    return sorted({node["$ref"] for node in _walk(document) if not str(node.get("$ref", "#")).startswith("#")})


def format_checker() -> FormatChecker:
    """Draft 2020-12's format checker, refusing to go on without the formats the standard's dates depend on.

    jsonschema checks `date-time` only when `rfc3339-validator` is importable; without it every date-time passes,
    and a plain date then matches both branches of the standard's date `oneOf`, so every valid date would fail.
    """
    checker = Draft202012Validator.FORMAT_CHECKER
    missing = [name for name in NEEDED_FORMATS if name not in checker.checkers]
    if missing:
        raise RuntimeError(
            f"jsonschema cannot check format(s) {', '.join(missing)}: install rfc3339-validator "
            "(pinned in the dev extras); without it the 360Giving date checks are meaningless"
        )
    return checker


@cache
def _validator() -> Draft202012Validator:
    """The package validator, built once: both schemas tightened, the remote grant `$ref` served from disk.

    The files' `$schema` is `http://json-schema.org/draft/2020-12/schema`, not the canonical `https://` URL, so
    `referencing` is told the draft (`DRAFT202012`) rather than left to guess it. The registry has no retriever:
    an unmapped `$ref` fails loudly instead of going to the network.
    """
    grant = DRAFT202012.create_resource(_with_calendar_dates(_load(GRANT_SCHEMA)))
    package = _with_calendar_dates(_load(PACKAGE_SCHEMA))
    refs = remote_refs(package)
    unknown = [ref for ref in refs if not ref.endswith("/schema/" + GRANT_SCHEMA.name)]
    if unknown:
        raise RuntimeError(f"the package schema refers to schemas not shipped here: {unknown}")
    # The grant schema's own `$id` too: its internal `#/$defs/...` refs resolve against that, not the `$ref` URL.
    uris = {*refs, grant.id() or ""} - {""}
    registry: Registry[Any] = Registry().with_resources((uri, grant) for uri in uris)
    return Draft202012Validator(package, registry=registry, format_checker=format_checker())


def _path(parts: Any) -> str:
    return "/".join(str(part) for part in parts) or "(package)"


def _short(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 3] + "..."


def _describe(error: ValidationError) -> str:
    """A message naming what is wrong without echoing a whole grant (which `oneOf` messages otherwise do)."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        reasons: dict[str, None] = {}
        for sub in sorted(error.context, key=lambda sub: (list(map(str, sub.relative_path)), sub.message)):
            where = _path(sub.relative_path) + ": " if sub.relative_path else ""
            reasons[where + _short(sub.message)] = None
        return "matches none of the forms the standard allows: " + "; ".join(reasons)
    if error.validator == "oneOf":
        forms = ", ".join(_short(json.dumps(form)) for form in error.validator_value)
        return f"matches more than one of the forms the standard allows (exactly one must match): {forms}"
    if error.validator == "uniqueItems":
        return "has items that are exactly alike: each must be different"
    return _short(error.message)


def validate_package(package: dict[str, Any]) -> list[str]:
    """Every way `package` breaks the 360Giving package schema, as "path: message"; empty means valid."""
    errors = sorted(_validator().iter_errors(package), key=lambda error: list(map(str, error.absolute_path)))
    return [f"{_path(error.absolute_path)}: {_describe(error)}" for error in errors]


# --- codelists ----------------------------------------------------------------------------------------------------


class CodelistField(NamedTuple):
    """A field a codelist governs: its path within a grant ("[]" steps into an array) and the codelist's file."""

    path: tuple[str, ...]
    codelist: str
    open: bool


@cache
def codelist_fields() -> tuple[CodelistField, ...]:
    """Every field in the grant schema annotated with `codelist`, found by walking the schema (through `$ref`s)."""
    schema = _load(GRANT_SCHEMA)
    found: dict[tuple[str, ...], CodelistField] = {}

    def visit(node: dict[str, Any], path: tuple[str, ...], via: frozenset[str]) -> None:
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.removeprefix("#/$defs/")
            if name == ref:
                raise RuntimeError(f"unexpected $ref {ref!r} in the grant schema")
            if name not in via:  # the standard has no recursive definitions, but a walk must not loop if it gains one
                visit(schema["$defs"][name], path, via | {name})
        if "codelist" in node:
            found[path] = CodelistField(path, node["codelist"], bool(node.get("openCodelist", False)))
        for key, sub in node.get("properties", {}).items():
            visit(sub, (*path, key), via)
        if isinstance(node.get("items"), dict):
            visit(node["items"], (*path, "[]"), via)
        for keyword in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(keyword, []):
                visit(sub, path, via)

    visit(schema, (), frozenset())
    return tuple(found.values())


@cache
def codes(codelist: str) -> frozenset[str]:
    """The `Code` column of a shipped codelist CSV. Codes are case sensitive, so they are kept exactly as written."""
    with (CODELISTS / codelist).open(encoding="utf-8", newline="") as file:
        return frozenset(row["Code"] for row in csv.DictReader(file))


def _values_at(node: Any, path: tuple[str, ...], where: str) -> Iterator[tuple[str, Any]]:
    """(location, value) for every value at `path` under `node`; absent fields yield nothing."""
    if not path:
        yield where, node
        return
    head, rest = path[0], path[1:]
    if head == "[]":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from _values_at(item, rest, f"{where}/{index}")
    elif isinstance(node, dict) and head in node:
        yield from _values_at(node[head], rest, f"{where}/{head}")


def codelist_errors(package: dict[str, Any]) -> list[str]:
    """Every value in a codelist field that is not a code in that (closed) codelist, as "path: message".

    Nulls and non-strings are left to `validate_package`; an open codelist (none today) is not checked.
    """
    errors = []
    for index, grant in enumerate(package.get("grants") or []):
        for field in codelist_fields():
            if field.open:
                continue
            for where, value in _values_at(grant, field.path, f"grants/{index}"):
                if isinstance(value, str) and value not in codes(field.codelist):
                    errors.append(f"{where}: {value!r} is not a code in the {field.codelist} codelist")
    return errors


# --- data quality -------------------------------------------------------------------------------------------------


def _span(value: Any) -> tuple[date, date] | None:
    """The first and last day a (possibly partial: YYYY, YYYY-MM) date or date-time may mean; None if unreadable.

    A date-time is taken at the date written in it, which is what a reader of the data would take it to mean.
    """
    if not isinstance(value, str):
        return None
    text = value[:10] if len(value) > 10 and value[10] in "Tt" else value
    match = re.fullmatch(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", text)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        if day:
            exact = date(int(year), int(month), int(day))
            return exact, exact
        if month:
            last = calendar.monthrange(int(year), int(month))[1]
            return date(int(year), int(month), 1), date(int(year), int(month), last)
        return date(int(year), 1, 1), date(int(year), 12, 31)
    except ValueError:
        return None


def _coverage_warnings(grant: dict[str, Any], where: str) -> list[str]:
    """Fields the standard leaves optional but without which grants are hard to use (programme, place)."""
    warnings = []
    programmes = grant.get("grantProgramme") or []
    if not programmes:
        warnings.append(f"{where}: no grantProgramme: the programme the grant was made under is not said")
    for number, programme in enumerate(programmes):
        if isinstance(programme, dict) and not (programme.get("title") or programme.get("code")):
            warnings.append(f"{where}/grantProgramme/{number}: has neither a title nor a code")
    locations = grant.get("beneficiaryLocation") or []
    if not locations:
        warnings.append(f"{where}: no beneficiaryLocation: where the grant benefits is not said")
    # geoCodeType is meant to be drawn from geoCodeType.csv, but the schema does not annotate it with `codelist`.
    for number, location in enumerate(locations):
        if not isinstance(location, dict):
            continue
        kind = location.get("geoCodeType")
        if kind is not None and kind not in codes("geoCodeType.csv"):
            warnings.append(f"{where}/beneficiaryLocation/{number}/geoCodeType: {kind!r} is not in geoCodeType.csv")
        if location.get("geoCode") and not kind:
            warnings.append(f"{where}/beneficiaryLocation/{number}: a geoCode without a geoCodeType")
    return warnings


def _date_warnings(grant: dict[str, Any], where: str, today: date) -> list[str]:
    """Dates that are readable but implausible: an award decided after today, an activity ending before it starts."""
    warnings = []
    awarded = _span(grant.get("awardDate"))
    if awarded is not None and awarded[0] > today:
        warnings.append(f"{where}/awardDate: {grant['awardDate']!r} is after today ({today.isoformat()})")
    for number, planned in enumerate(grant.get("plannedDates") or []):
        if not isinstance(planned, dict):
            continue
        start, end = _span(planned.get("startDate")), _span(planned.get("endDate"))
        if start is not None and end is not None and start[0] > end[1]:
            warnings.append(
                f"{where}/plannedDates/{number}: startDate {planned['startDate']!r} "
                f"is after endDate {planned['endDate']!r}"
            )
    return warnings


def _identifier_warnings(grant: dict[str, Any], where: str) -> list[str]:
    """Identifiers that will not join up: unexpected characters, or a grant id without the 360G- prefix."""
    identifiers: list[tuple[str, Any]] = [(f"{where}/id", grant.get("id"))]
    for kind in ("recipientOrganization", "fundingOrganization"):
        for number, organisation in enumerate(grant.get(kind) or []):
            if isinstance(organisation, dict):
                identifiers.append((f"{where}/{kind}/{number}/id", organisation.get("id")))
    individual = grant.get("recipientIndividual")
    if isinstance(individual, dict):
        identifiers.append((f"{where}/recipientIndividual/id", individual.get("id")))
    warnings = []
    for location, identifier in identifiers:
        if isinstance(identifier, str) and not IDENTIFIER.fullmatch(identifier):
            odd = "".join(sorted({char for char in identifier if not IDENTIFIER.fullmatch(char)}))
            warnings.append(f"{location}: {identifier!r} has unexpected characters {odd!r}")
    grant_id = grant.get("id")
    if isinstance(grant_id, str) and not grant_id.startswith(GRANT_PREFIX):
        warnings.append(f"{where}/id: {grant_id!r} does not start with a 360Giving prefix ({GRANT_PREFIX}...)")
    return warnings


def _amount_warnings(grant: dict[str, Any], where: str) -> list[str]:
    """amountDisbursed should equal the sum of the disbursement transactions, when both are given."""
    disbursed = grant.get("amountDisbursed")
    transactions = grant.get("disbursementTransaction")
    if not isinstance(disbursed, int | float) or not transactions:
        return []
    values = [item.get("value") for item in transactions if isinstance(item, dict)]
    if not values or not all(isinstance(value, int | float) for value in values):
        return []
    # Decimal(str(x)): money written with pence must not be compared through binary floating point.
    total = sum((Decimal(str(value)) for value in values), Decimal(0))
    if Decimal(str(disbursed)) != total:
        return [f"{where}/amountDisbursed: {disbursed} is not the sum of disbursementTransaction values ({total})"]
    return []


def data_quality_warnings(package: dict[str, Any], today: date) -> list[str]:
    """Community-style quality warnings (our own code, after the checks 360Giving describes); advice, not errors."""
    warnings = []
    for index, grant in enumerate(package.get("grants") or []):
        if not isinstance(grant, dict):
            continue
        where = f"grants/{index}"
        warnings += _coverage_warnings(grant, where)
        warnings += _date_warnings(grant, where, today)
        warnings += _identifier_warnings(grant, where)
        warnings += _amount_warnings(grant, where)
    return warnings
