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
from marketplace.capability import Deadline, Declaration, told_of
from marketplace.grants.deadlines import lapse_offers, record_windows
from marketplace.grants.services import Applications, Grants, Programmes
from projections.grants.applications import GrantApplicationQueue, grant_applications
from projections.grants.programmes import GrantProgrammeBoard
from projections.grants.register import GrantsRegister, grants

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
        letters=told_of(
            "grant_application.offered",
            "grant_application.declined",
            "grant_application.changes_requested",
            to=grant_applications.c.applicant,
            by=grant_applications.c.id,
            path="/grant-applications/{id}",
            because="the council tells every applicant its decision, with its reasons and feedback, at once",
        ),
    ),
    Declaration(
        "grant",
        Grant,
        views=(GrantsRegister,),
        service=Grants,
        letters=told_of(
            "grant.clawback_decided",
            to=grants.c.recipient,
            by=grants.c.id,
            path="/grants/{id}",
            because="a grant's recipient is told, with the reasons, when the council decides to ask money back",
        ),
    ),
)
