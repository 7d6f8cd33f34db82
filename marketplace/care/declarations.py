"""Care's aggregate: a micro-enterprise's registration for the directory (marketplace/capability.py)."""

from __future__ import annotations

from domain.care.micro_enterprise import Evidence
from domain.care.registration import Registration
from marketplace.capability import Deadline, Declaration, told_of
from marketplace.care.deadlines import record_registration_standing
from marketplace.care.services import Registrations
from projections.care.registrations import RegistrationViews, registrations
from projections.search.directory import DirectorySearch

DECLARATIONS = (
    Declaration(
        "registration",
        Registration,
        values=(Evidence,),
        views=(RegistrationViews, DirectorySearch),
        service=Registrations,
        deadlines=(Deadline("registration standing", record_registration_standing),),
        letters=told_of(
            "registration.approved",
            "registration.rejected",
            "registration.suspended",
            "registration.reinstated",
            to=registrations.c.organisation,
            by=registrations.c.id,
            path="/registrations/{id}",
            because="a provider is told each decision on its registration in the care directory, with its reasons",
        ),
    ),
)
