"""`marketplace serve` as the benchmark needs it: optionally profiled, optionally with an experiment.

    python -m bench.profserver --port 8123 [--out PREFIX] [--experiment cached-upsert]

Serves api.asgi:app exactly as `marketplace serve --workers 1` does (uvicorn, same
options). With --out, cProfile runs in the event-loop thread and in every thread
started later (the worker threads that run sync handlers); on SIGINT/SIGTERM uvicorn
shuts down gracefully and the stats are written to PREFIX-loop.prof and
PREFIX-workers.prof. With --experiment, the named change from bench.experiments is
patched in before the app is imported. Settings come from the environment.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import experiments


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profserver")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, help="write cProfile stats to OUT-loop.prof and OUT-workers.prof")
    parser.add_argument("--experiment", action="append", default=[], choices=sorted(experiments.EXPERIMENTS))
    args = parser.parse_args()

    import uvicorn

    from marketplace.settings import Settings
    from marketplace.tokens import jwt_secret

    jwt_secret(Settings.from_env())
    speedups: dict[str, Any] = {"loop": "uvloop", "http": "httptools"} if "uvicorn-standard" in args.experiment else {}
    config = uvicorn.Config(
        "api.asgi:app", host=args.host, port=args.port, workers=1, log_level="warning", access_log=False, **speedups
    )
    server = uvicorn.Server(config)

    thread_profiles: list[cProfile.Profile] = []
    guard = threading.Lock()

    def start_thread_profile(*_: Any) -> None:
        profile = cProfile.Profile()
        with guard:
            thread_profiles.append(profile)
        profile.enable()  # replaces this hook for the rest of the thread's life

    with ExitStack() as stack:
        stack.enter_context(experiments.applied(args.experiment))
        if args.out is None:
            server.run()
            return 0
        threading.setprofile(start_thread_profile)
        loop_profile = cProfile.Profile()
        loop_profile.enable()
        try:
            server.run()
        finally:
            loop_profile.disable()
            threading.setprofile(None)  # type: ignore[arg-type]
            pstats.Stats(loop_profile).dump_stats(f"{args.out}-loop.prof")
            with guard:
                profiles = list(thread_profiles)
            if profiles:
                for profile in profiles:
                    profile.create_stats()
                merged = pstats.Stats(profiles[0])
                for profile in profiles[1:]:
                    merged.add(profile)
                merged.dump_stats(f"{args.out}-workers.prof")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
