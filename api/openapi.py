"""The OpenAPI document: say what the Structs already enforce, so clients (and fuzzers) know it."""

from __future__ import annotations

import msgspec
from litestar import Litestar


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
