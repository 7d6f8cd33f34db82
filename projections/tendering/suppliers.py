"""A supplier as views record it: who they were at award time, for registers and supplier mix."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, String

from domain.tendering.tender import Supplier


def supplier_columns() -> list[Column[Any]]:
    return [
        Column("supplier_identifier", String(80), nullable=False),
        Column("supplier_name", String(200), nullable=False),
        Column("supplier_size", String(16), nullable=False),
        Column("supplier_vcse", Boolean, nullable=False),
        Column("supplier_district", String(4), nullable=False),
    ]


def supplier_values(supplier: Supplier) -> dict[str, Any]:
    return {
        "supplier_identifier": supplier.identifier,
        "supplier_name": supplier.name,
        "supplier_size": supplier.size,
        "supplier_vcse": supplier.vcse,
        "supplier_district": supplier.district,
    }
