"""The API docs page works with no network: every script, style and icon it references is served by the API
itself, from the pinned swagger-ui-bundle-v2 package, and none is on another host."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient

pytestmark = pytest.mark.request_layer


def test_the_docs_page_and_every_asset_it_references_answer_from_the_server(client: TestClient[Any]) -> None:
    page = client.get("/schema/swagger")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    referenced = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert len(referenced) >= 4, referenced  # the bundle, the preset, the style, the icon
    for address in referenced:
        assert not urlsplit(address).netloc, f"{address} would be fetched from another host"
        asset = client.get(address)
        assert asset.status_code == 200 and asset.content, address
    kinds = {client.get(a).headers["content-type"].split(";")[0] for a in referenced}
    assert kinds == {"text/javascript", "text/css", "image/png"}, kinds


def test_the_openapi_document_the_page_shows_is_version_3_1(client: TestClient[Any]) -> None:
    """Swagger UI 5 renders OpenAPI 3.1, which Litestar writes (Swagger UI 4 would show a blank definition)."""
    assert client.get("/schema/openapi.json").json()["openapi"].startswith("3.1")
