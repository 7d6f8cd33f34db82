"""Group commit: commands that arrive together are written in one transaction, with one fsync.

Callers block until their command's transaction has committed, so durability and
read-your-writes are unchanged; what changes is that N concurrent commands cost one
commit instead of N. A command refused by a rule is answered with its refusal and
writes nothing; any other failure rolls the group back and each command is run
again on its own, so no caller ever sees another caller's failure.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")
# Runs a group in one transaction; answers per job (a result or its refusal), or None if the group failed.
RunTogether = Callable[[list[Job]], list[Result | BaseException] | None]


class GroupCommit(Generic[Job, Result]):
    MAX_GROUP = 64

    def __init__(self, together: RunTogether[Job, Result], alone: Callable[[Job], Result]) -> None:
        self._together = together
        self._alone = alone
        self._queue: queue.SimpleQueue[tuple[Job, Future[Result]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
        self._thread.start()

    @property
    def is_writer(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, job: Job) -> Result:
        future: Future[Result] = Future()
        self._queue.put((job, future))
        return future.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while (first := self._queue.get()) is not None:
            group = [first]
            while len(group) < self.MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # finish this group, then stop
                    break
                group.append(item)
            self._run(group)

    def _run(self, group: list[tuple[Job, Future[Result]]]) -> None:
        answers = self._together([job for job, _ in group]) if len(group) > 1 else None
        if answers is None:
            for job, future in group:
                self._settle(future, lambda job=job: self._alone(job))  # type: ignore[misc]
            return
        for (_, future), answer in zip(group, answers, strict=True):
            if isinstance(answer, BaseException):
                future.set_exception(answer)
            else:
                future.set_result(answer)

    @staticmethod
    def _settle(future: Future[Result], work: Callable[[], Result]) -> None:
        try:
            future.set_result(work())
        except BaseException as error:
            future.set_exception(error)
