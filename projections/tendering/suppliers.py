"""A supplier as views record it: who they were at award time, for registers and supplier mix."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, String

from domain.tendering.tender import Supplier
from projections.columns import org_ids


def supplier_columns() -> list[Column[Any]]:
    return [
        *org_ids("supplier_identifier"),
        Column("supplier_name", String(200), nullable=False),
        Column("supplier_size", String(16), nullable=False),
        Column("supplier_vcse", Boolean, nullable=False),
        Column("supplier_district", String(4), nullable=False),
    ]


def supplier_values(supplier: Supplier) -> dict[str, Any]:
    """The supplier's fields, each in its `supplier_` column."""
    return {f"supplier_{name}": getattr(supplier, name) for name in ("identifier", "name", "size", "vcse", "district")}
