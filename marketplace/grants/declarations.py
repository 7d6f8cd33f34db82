"""Grants' aggregates: programmes, applications and grants (marketplace/capability.py)."""

from __future__ import annotations

from domain.grants.application import GrantApplication
from domain.grants.grant import Grant
from domain.grants.programme import GrantProgramme
from domain.grants.terms import (
    AssessmentCriterion,
    BudgetLine,
    Condition,
    Eligibility,
    Instalment,
    Location,
    OfferGrant,
    OfferTerms,
)
from marketplace.capability import Deadline, Declaration
from marketplace.grants.deadlines import lapse_offers, record_windows
from marketplace.grants.services import Applications, Grants, Programmes
from projections.grants.applications import GrantApplicationQueue
from projections.grants.programmes import GrantProgrammeBoard
from projections.grants.register import GrantsRegister

DECLARATIONS = (
    Declaration(
        "grant_programme",
        GrantProgramme,
        values=(Eligibility, AssessmentCriterion),
        views=(GrantProgrammeBoard, GrantApplicationQueue),
        service=Programmes,
        deadlines=(Deadline("grant windows recorded", record_windows),),
    ),
    Declaration(
        "grant_application",
        GrantApplication,
        values=(Location, BudgetLine, Condition, Instalment, OfferGrant, OfferTerms),  # held offers hold the last two
        views=(GrantApplicationQueue,),
        service=Applications,
        deadlines=(Deadline("grant offers lapsed", lapse_offers),),
    ),
    Declaration("grant", Grant, views=(GrantsRegister,), service=Grants),
)
