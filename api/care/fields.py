"""The field types care micro-enterprise bodies share, and the registration a path names."""

from __future__ import annotations

from typing import Annotated

import msgspec

from api.commanding import record_id
from domain.care.micro_enterprise import CareService

District = Annotated[str, msgspec.Meta(min_length=2, max_length=4, examples=["SY7"])]
Parish = Annotated[str, msgspec.Meta(min_length=1, max_length=100, examples=["Clun"])]
Hours = Annotated[int, msgspec.Meta(ge=0, le=10_000, description="Hours a week")]
Workers = Annotated[int, msgspec.Meta(ge=0, le=1000, description="1 to 8 by council policy")]
Services = Annotated[list[CareService], msgspec.Meta(max_length=20)]
Districts = Annotated[list[District], msgspec.Meta(max_length=50)]
Parishes = Annotated[list[Parish], msgspec.Meta(max_length=50)]

registration_id = record_id("registration")  # a path's registration: anything but a UUID names none (404)
