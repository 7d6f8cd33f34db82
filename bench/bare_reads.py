"""The read yardstick: a bare Litestar app serving the same organisations from the same SQLite file the way a team
would write it without the marketplace (sync handlers run in threads, a page built per request by SQLAlchemy Core,
msgspec's JSON), no sign-in, no access rules, no views' machinery. `bench/reads.py` serves it with the same
uvicorn settings as `marketplace serve`.

    BENCH_DATABASE=/path/marketplace.db python -m uvicorn bench.bare_reads:app --port 8001
"""

from __future__ import annotations

import os
from typing import Any

from litestar import Litestar, get
from litestar.exceptions import NotFoundException
from sqlalchemy import create_engine, select

from projections.organisations.directory import organisations

engine = create_engine(f"sqlite:///{os.environ.get('BENCH_DATABASE', 'var/marketplace.db')}")


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/organisations", sync_to_thread=True)
def organisation_page(limit: int = 20) -> dict[str, Any]:
    query = select(organisations).order_by(organisations.c.name, organisations.c.identifier).limit(limit + 1)
    with engine.connect() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
    return {"items": rows[:limit], "next": rows[-1]["identifier"] if len(rows) > limit else None}


@get("/organisations/{identifier:str}", sync_to_thread=True)
def organisation(identifier: str) -> dict[str, Any]:
    with engine.connect() as connection:
        row = (
            connection.execute(select(organisations).where(organisations.c.identifier == identifier)).mappings().first()
        )
    if row is None:
        raise NotFoundException(f"No organisation {identifier}")
    return dict(row)


app = Litestar([health, organisation_page, organisation])
