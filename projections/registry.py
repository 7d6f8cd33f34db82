"""Every projection the service keeps, by name."""

from __future__ import annotations

from projections.engine import Projection
from projections.organisations import OrganisationDirectory


def all_projections() -> list[Projection]:
    return [OrganisationDirectory()]
