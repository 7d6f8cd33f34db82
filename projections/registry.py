"""The platform's own views, which follow every aggregate; each aggregate's views are named in its declaration
(marketplace/capability.py)."""

from __future__ import annotations

from projections.chain import AuditChain
from projections.decisions import DecisionLog
from projections.engine import Projection


def platform_views() -> list[Projection]:
    return [DecisionLog(), AuditChain()]
