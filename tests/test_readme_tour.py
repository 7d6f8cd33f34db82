"""The README's five-minute tour runs as written: its shell block, on a fresh database, against a real server.

The block is taken from README.md between the tour's markers and run by bash with `set -euo pipefail`: every
`curl --fail-with-body` must answer 2xx, every command exit 0. Only PORT and the var folder are the test's own, and
the README reads both from the environment with the defaults a user gets (8000, ./var).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- tour: begin (tests/test_readme_tour.py runs this block as written) -->"
END = "<!-- tour: end -->"

pytestmark = pytest.mark.slow  # a real server and the whole demo: a minute or so on 2 cores


def tour_script() -> str:
    """The tour's one bash block."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(START) + len(START) : readme.index(END)]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the tour is one bash block"
    return str(blocks[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_readme_tour_runs_as_written_on_a_fresh_database(tmp_path: Path) -> None:
    script = tour_script()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETPLACE_")}
    env |= {
        "PORT": str(free_port()),
        "MARKETPLACE_VAR_DIR": str(tmp_path / "var"),
        "MARKETPLACE_TICK_SECONDS": "0",
        "MARKETPLACE_POST_SECONDS": "0",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    }
    tour = subprocess.Popen(  # the README's own block, run as a user would paste it
        ["bash", "-c", f"set -euo pipefail\n{script}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the server it starts is in its process group: stopped with it below
    )
    try:
        output, _ = tour.communicate(timeout=240)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(tour.pid, signal.SIGTERM)
    assert tour.returncode == 0, output[-4000:]
    assert '"status":"tendering"' in output.replace(" ", ""), "the public saw the tenders open for bids"
    assert "ok " in output, "the auditor's verify vouched for the chain"
