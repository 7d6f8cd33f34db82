"""Settings come from the environment; one setting chooses the database."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from domain.procurement import ProcurementPolicy

DEFAULT_VAR_DIR = Path("var")


def default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{(var_dir / 'marketplace.db').resolve()}"


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to know about where it runs."""

    database_url: str
    jwt_secret: str = ""
    projection_mode: str = "inline"  # inline: fold in the command's transaction; worker: `marketplace project`
    var_dir: Path = field(default=DEFAULT_VAR_DIR)
    max_body_bytes: int = 1024 * 1024
    ocid_prefix: str = "ocds-shr000"
    publisher_name: str = "Shropshire Council"  # who publishes the open data (OCDS `publisher`)
    publisher_identifier: str = "GB-LAE-SHR"  # its org-id.guide identifier
    policy: ProcurementPolicy = field(default_factory=ProcurementPolicy)
    tick_seconds: float = 30.0  # how often `serve` records deadlines passing (0: never; use `marketplace tick`)
    local_postcode_areas: tuple[str, ...] = ("SY", "TF")  # what counts as a local supplier
    group_commit: bool = True  # commands arriving together share one transaction (off: one each, e.g. to profile)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("MARKETPLACE_VAR_DIR", str(DEFAULT_VAR_DIR)))
        url = env.get("MARKETPLACE_DATABASE_URL") or default_database_url(var_dir)
        mode = env.get("MARKETPLACE_PROJECTION_MODE", "inline")
        if mode not in ("inline", "worker"):
            raise ValueError("MARKETPLACE_PROJECTION_MODE must be 'inline' or 'worker'")
        return cls(
            database_url=url,
            jwt_secret=env.get("MARKETPLACE_JWT_SECRET", ""),
            projection_mode=mode,
            var_dir=var_dir,
            ocid_prefix=env.get("MARKETPLACE_OCID_PREFIX", "ocds-shr000"),
            publisher_name=env.get("MARKETPLACE_PUBLISHER_NAME", "Shropshire Council"),
            publisher_identifier=env.get("MARKETPLACE_PUBLISHER_IDENTIFIER", "GB-LAE-SHR"),
            policy=ProcurementPolicy(social_value_minimum=int(env.get("MARKETPLACE_SOCIAL_VALUE_MINIMUM", "10"))),
            tick_seconds=float(env.get("MARKETPLACE_TICK_SECONDS", "30")),
            local_postcode_areas=tuple(env.get("MARKETPLACE_LOCAL_POSTCODE_AREAS", "SY,TF").split(",")),
            group_commit=env.get("MARKETPLACE_GROUP_COMMIT", "1") not in ("0", "false", "no"),
        )
