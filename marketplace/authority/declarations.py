"""The scheme of delegation's aggregates: its entries, and the decisions held beyond their deciders' limits
(marketplace/capability.py)."""

from __future__ import annotations

from domain.authority.delegation import Delegation
from domain.authority.held_decision import HeldDecision
from marketplace.authority.services import Delegations, HeldDecisions
from marketplace.capability import Declaration
from projections.authority.delegations import DelegationScheme
from projections.authority.held_decisions import HeldDecisionQueue

DECLARATIONS = (
    Declaration("delegation", Delegation, views=(DelegationScheme,), service=Delegations),
    Declaration("held_decision", HeldDecision, views=(HeldDecisionQueue,), service=HeldDecisions),
)
