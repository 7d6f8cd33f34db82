"""The query parameters every paged list takes, declared once so that every list pages alike."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

# Where the last page ended: the `next_cursor` it answered.
Cursor = Annotated[str | None, Parameter(max_length=500)]
# How many records a page holds at the most.
Limit = Annotated[int, Parameter(ge=1, le=1000)]
