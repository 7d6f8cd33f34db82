"""Stored topics resolve in a fresh process, old and new alike: a process that has imported nothing but the
event store's application must read every event class by its topic (marketplace/topics.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from domain.base import event_classes
from tests.test_declarations import AGGREGATES

NEW_TOPICS = [
    f"{event.__module__}:{event.__qualname__}" for aggregate in AGGREGATES for event in event_classes(aggregate)
]
OLD_TOPICS = [
    "domain.bid:Bid.Submitted",
    "domain.tender:Tender.Published",
    "domain.tender:Award",
    "domain.care:Evidence",
    "domain.registration:Registration.Applied",
    "domain.organisation:Organisation.Registered",
    "domain.contract:Contract.Varied",
    "domain.evaluation:Evaluation.Scored",
]


@pytest.mark.parametrize("topics", [NEW_TOPICS, OLD_TOPICS], ids=["written-now", "written-before-the-move"])
def test_every_topic_resolves_in_a_fresh_process(topics: list[str]) -> None:
    script = (
        "import sys\n"
        "import marketplace.application\n"
        "from eventsourcing.utils import resolve_topic\n"
        "for topic in sys.argv[1:]:\n"
        "    resolve_topic(topic)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, *topics], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
