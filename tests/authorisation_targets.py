"""What tests/authorisation_records.py and tests/authorisation_grants.py build for the authorisation table: where each
write route is sent, and the council's admin and reason they build with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.base import Role
from tests.conftest import COUNCIL, bearer
from tests.journeys import RURAL

Route = tuple[str, str]  # (method, route path as Litestar spells it), as tests/test_authorisation_matrix.py has it
ADMIN = bearer(Role.ADMIN, COUNCIL, "ada")
REASON = {"reason": "Agreed at the commissioning board"}


@dataclass(frozen=True)
class Target:
    """Where one write route is sent: its path, its body (None: it takes none) and whose record it is."""

    path: str
    body: dict[str, Any] | None = None
    owner: str = RURAL


def steps(route: str, path: str, bodies: dict[str, Any], owner: str = RURAL) -> dict[Route, Target]:
    """POST `{route}/{step}` for each step, sent to `{path}/{step}` with the step's body."""
    return {("POST", f"{route}/{step}"): Target(f"{path}/{step}", body, owner) for step, body in bodies.items()}
