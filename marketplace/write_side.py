"""The tables the marketplace writes itself beside the event store: what it remembers of requests (Idempotency-Keys)
and what it has sent (letters). They are no views: a rebuild never drops them, so a retried request is still
answered once and a letter is never sent twice."""

from __future__ import annotations

from sqlalchemy import MetaData

write_side = MetaData()
