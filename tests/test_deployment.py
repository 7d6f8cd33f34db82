"""The container deployment: docker-compose.yml and the Dockerfile it builds."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

pytestmark = pytest.mark.request_layer  # answered before any database is asked: SQLite alone

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("api", "projector")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return dict(compose["services"])


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the "KEY=value" list form
        return dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def command(service: dict[str, Any]) -> list[str]:
    cmd = service["command"]
    return shlex.split(cmd) if isinstance(cmd, str) else [str(arg) for arg in cmd]


def test_stack_has_postgres_api_and_projector(services: dict[str, Any]) -> None:
    assert {"postgres", "api", "projector"} <= services.keys()


def test_api_and_projector_share_one_database_setting(services: dict[str, Any]) -> None:
    assert environment(services["api"]) == environment(services["projector"])


def test_database_url_points_at_the_postgres_service_through_psycopg(
    services: dict[str, Any],
) -> None:
    url = urlsplit(environment(services["api"])["MARKETPLACE_DATABASE_URL"])
    assert url.scheme == "postgresql+psycopg"
    assert url.hostname == "postgres"


def test_projections_are_folded_by_the_worker_not_inline(
    services: dict[str, Any],
) -> None:
    assert environment(services["api"])["MARKETPLACE_PROJECTION_MODE"] == "worker"


def test_jwt_secret_must_be_supplied_by_the_operator(services: dict[str, Any]) -> None:
    secret = environment(services["api"])["MARKETPLACE_JWT_SECRET"]
    assert secret.startswith("${MARKETPLACE_JWT_SECRET:?")


def test_sign_in_providers_and_development_tokens_are_the_operators_to_set(services: dict[str, Any]) -> None:
    settings = environment(services["api"])
    assert settings["MARKETPLACE_OIDC_ISSUERS"] == "${MARKETPLACE_OIDC_ISSUERS:-}"
    assert settings["MARKETPLACE_DEV_TOKENS"] == "${MARKETPLACE_DEV_TOKENS:-on}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_start_only_once_postgres_is_healthy(services: dict[str, Any], name: str) -> None:
    assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["postgres", *APP_SERVICES])
def test_every_service_reports_its_health(services: dict[str, Any], name: str) -> None:
    assert services[name]["healthcheck"]["test"]


def test_api_health_is_probed_on_the_health_endpoint(services: dict[str, Any]) -> None:
    assert "/health" in " ".join(services["api"]["healthcheck"]["test"])


def test_api_serves_with_several_workers(services: dict[str, Any]) -> None:
    args = command(services["api"])
    assert args[:2] == ["marketplace", "serve"]
    assert int(args[args.index("--workers") + 1]) > 1


def test_projector_runs_the_projection_worker(services: dict[str, Any]) -> None:
    assert command(services["projector"]) == ["marketplace", "project"]


def test_image_installs_the_project_with_pinned_constraints() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    assert re.search(r"pip install .*(-c|--constraint)[ =]constraints\.txt", dockerfile)


def test_image_runs_as_an_unprivileged_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
