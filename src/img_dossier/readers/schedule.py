"""The order reader workers are given their tasks in, and which worker may take which:
how OCR overlaps the rest of the reading and how few workers load the OCR engine.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Sequence

from .tasks import Job, Task


class Queue:
    """The tasks not yet handed out, and which worker may take which.

    Unscheduled (no OCR, or Jobs): in order, to any worker. Scheduled (OCR on): a task to be
    read with OCR (an image; a scan found to have no text layer) waits apart, and goes to a
    worker that already holds the OCR engine (``engine``), first: so OCR begins while the
    other files are still being read, and the engine (its imports and models: about one
    page's OCR in CPU) is loaded by few workers. A worker without it takes the first OCR
    task when no worker has the engine yet, otherwise only when it has nothing else to read
    and at least ``backlog`` OCR tasks wait. A worker with the engine reads its other files
    with OCR on as well: a scan among them is read once, not twice (a file with a text
    layer is read the same either way).

    A light OCR task (``Task.light``: pages too small to hold text, which cost a render and
    no detection) waits apart and does not count toward ``backlog``: it never makes a
    second worker load the engine; a worker that has it reads it after the real OCR work.
    """

    def __init__(self, tasks: Sequence[Task | Job], *, scheduled: bool, backlog: int) -> None:
        self.scheduled = scheduled
        self.backlog = max(1, backlog)
        self.plain: deque[Task | Job] = deque()
        self.ocr: deque[Task | Job] = deque()
        self.light: deque[Task | Job] = deque()
        for task in tasks:
            self.push(task)

    def __bool__(self) -> bool:
        return bool(self.plain or self.ocr or self.light)

    def push(self, task: Task | Job, *, front: bool = False) -> None:
        line = self.plain
        if self.scheduled and isinstance(task, Task) and task.ocr:
            line = self.light if task.light else self.ocr
        if front:
            line.appendleft(task)
        else:
            line.append(task)

    def wants_worker(self, engines: int) -> bool:
        """True when a new worker (without the engine) would get a task now."""
        if engines == 0 and (self.ocr or self.light):
            return True
        return bool(self.plain or len(self.ocr) >= self.backlog)

    def take(self, engine: bool, engines: int) -> Task | Job | None:
        """The task for a worker that holds the engine or not (a task read with OCR given to
        a worker without it makes it load the engine); None when it is to wait."""
        if not self.scheduled:
            return self.plain.popleft() if self.plain else None
        if engine:
            if self.ocr:
                return self.ocr.popleft()
            if self.plain:
                task = self.plain.popleft()
                return dataclasses.replace(task, ocr=True) if isinstance(task, Task) else task
            return self.light.popleft() if self.light else None
        if engines == 0 and (self.ocr or self.light):
            return (self.ocr or self.light).popleft()
        if self.plain:
            return self.plain.popleft()
        if self.ocr and len(self.ocr) >= self.backlog:
            return self.ocr.popleft()
        return None
