"""How value objects are written into stored events (the event store's JSON)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from eventsourcing.persistence import Transcoding


class DataclassAsDict(Transcoding):
    """A frozen dataclass of plain fields, stored as a dict and rebuilt by its constructor."""

    def __init__(self, cls: type[Any], shared: bool = False) -> None:
        self.type = cls
        self.name = cls.__name__.lower()
        self._fields = [field.name for field in dataclasses.fields(cls)]
        # Values that recur in event after event (the same officer acting) decode to one shared instance.
        self._shared: dict[tuple[Any, ...], Any] | None = {} if shared else None

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields if name not in self._omitted(obj)}

    def _omitted(self, obj: Any) -> frozenset[str]:
        """Fields added since events were first stored, left out while they hold their default (so an event
        that does not use one is stored as it was before the field existed)."""
        return frozenset(name for name in getattr(self.type, "OMITTED_WHEN_DEFAULT", ()) if not getattr(obj, name))

    def decode(self, data: dict[str, Any]) -> Any:
        if self._shared is None:
            return self.type(**data)
        key = tuple(data.values())
        found = self._shared.get(key)
        if found is None:
            if len(self._shared) > 10_000:
                self._shared.clear()
            found = self._shared[key] = self.type(**data)
        return found


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)
