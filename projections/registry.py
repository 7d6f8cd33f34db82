"""Every projection the service keeps, by name."""

from __future__ import annotations

from projections.awards import AwardNotices
from projections.chain import AuditChain
from projections.contracts import ContractRegister
from projections.decisions import DecisionLog
from projections.engine import Projection
from projections.evaluation import EvaluationViews
from projections.ocds import OpenContracting
from projections.organisations import OrganisationDirectory
from projections.registrations import RegistrationViews
from projections.tenders import TenderBoard


def all_projections() -> list[Projection]:
    return [
        OrganisationDirectory(),
        TenderBoard(),
        EvaluationViews(),
        AwardNotices(),
        ContractRegister(),
        OpenContracting(),
        RegistrationViews(),
        DecisionLog(),
        AuditChain(),
    ]
