"""The scheme of delegation's aggregate: its entries (marketplace/capability.py)."""

from __future__ import annotations

from domain.authority.delegation import Delegation
from marketplace.authority.services import Delegations
from marketplace.capability import Declaration
from projections.authority.delegations import DelegationScheme

DECLARATIONS = (Declaration("delegation", Delegation, views=(DelegationScheme,), service=Delegations),)
