"""The README's first command serves the API: `marketplace serve` answers on the embedded SQLite default."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_marketplace_serve_answers_on_a_sqlite_file_it_creates(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETPLACE_")}
    env["MARKETPLACE_VAR_DIR"] = str(tmp_path / "var")
    command = [sys.executable, "-m", "marketplace.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as health:
                    assert health.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/organisations", timeout=5) as directory:
            assert directory.status == 200
        assert (tmp_path / "var" / "marketplace.db").exists()
        assert (tmp_path / "var" / "dev-jwt-secret").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)
