"""Care's aggregate: a micro-enterprise's registration for the directory (marketplace/capability.py)."""

from __future__ import annotations

from domain.care.micro_enterprise import Evidence
from domain.care.registration import Registration
from marketplace.capability import Deadline, Declaration
from marketplace.care.deadlines import record_registration_standing
from marketplace.care.services import Registrations
from projections.care.registrations import RegistrationViews

DECLARATIONS = (
    Declaration(
        "registration",
        Registration,
        values=(Evidence,),
        views=(RegistrationViews,),
        service=Registrations,
        deadlines=(Deadline("registration standing", record_registration_standing),),
    ),
)
