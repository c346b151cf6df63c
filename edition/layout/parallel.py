"""The parts of a cold layout laid out side by side, in worker processes.

`pdf.layout` lays out first the parts that print no page numbers (the essays, the further
reading, the note on the text): each on its own, opening on a right-hand page, its pages the
same whatever page it starts on (their numbers are laid out apart: `typeset.renumber`). With
more than one job and more than one such part to lay out, `side_by_side` shares them out among
`jobs` worker processes forked from this one, which inherit its typesetter (the fonts and
stylesheets, read once): the longest first, each to the worker with the least to do. Each worker
sends each part's layout back as bytes as soon as it is made (`typeset.pickled`), and this
process reads them back into pages of its own (`typeset.unpickled`), as if it had laid them out:
the outputs are the same bytes whatever the number of jobs.

Forked, not started anew: a new interpreter would import WeasyPrint and read the fonts again, a
second and more, for a layout of a few seconds. A worker that fails says why; one that stops
without a word (killed, out of memory) is reported as such; either way the others are stopped,
and the build writes nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TypeVar

from ..errors import EditionError

T = TypeVar("T")
# A part's layout made in a worker: the part's layout as bytes, and the pages laid out for it.
LaidOut = tuple[bytes, int]


def available_cores() -> int:
    """The cores this process may run on (fewer than the machine's in a container or under
    `taskset`)."""
    return len(os.sched_getaffinity(0))


def shares(costs: Sequence[int], jobs: int) -> list[list[int]]:
    """The indices of the parts each of `jobs` workers lays out, in the order it lays them out:
    the costliest part first, each to the worker with the least cost so far (the first of them
    if two have the same); no worker without a part."""
    loads = [0] * min(jobs, len(costs))
    shared: list[list[int]] = [[] for _ in loads]
    for index in sorted(range(len(costs)), key=lambda index: -costs[index]):
        worker = loads.index(min(loads))
        shared[worker].append(index)
        loads[worker] += costs[index]
    return shared


def side_by_side(
    names: Sequence[str],
    costs: Sequence[int],
    jobs: int,
    lay_out: Callable[[int], LaidOut],
    read: Callable[[bytes], T],
) -> tuple[dict[str, T], int]:
    """Each part laid out in a worker (`lay_out(index)`, in the forked process), read back here
    (`read`), by name; and the pages laid out in all."""
    context = multiprocessing.get_context("fork")
    workers: dict[Connection, BaseProcess] = {}
    try:
        for share in shares(costs, jobs):
            receiving, sending = context.Pipe(duplex=False)
            worker = context.Process(target=_work, args=(share, names, lay_out, sending), daemon=True)
            worker.start()
            sending.close()  # this process's copy: the pipe ends when the worker closes its own
            workers[receiving] = worker
        return _gather(workers, read)
    finally:
        for connection, worker in workers.items():
            if worker.is_alive():
                worker.terminate()
            worker.join()
            connection.close()


def _work(share: list[int], names: Sequence[str], lay_out: Callable[[int], LaidOut], sending: Connection) -> None:
    """In a worker: each part of its share laid out and sent, or why it could not be."""
    # Ctrl-C reaches every process of the terminal's group: the build's own ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for index in share:
            data, pages = lay_out(index)
            sending.send(("part", names[index], data, pages))
    except EditionError as error:
        sending.send(("error", str(error)))
    except Exception:  # anything else is a bug: its traceback goes to the build
        sending.send(("failed", traceback.format_exc()))
    finally:
        sending.close()


def _gather(workers: Mapping[Connection, BaseProcess], read: Callable[[bytes], T]) -> tuple[dict[str, T], int]:
    laid_out: dict[str, T] = {}
    pages = 0
    open_ = set(workers)
    while open_:
        for connection in wait(list(open_)):
            try:
                message = connection.recv()
            except EOFError:  # the worker closed its end: done, or stopped without a word
                open_.discard(connection)
                worker = workers[connection]
                worker.join()
                if worker.exitcode:
                    raise EditionError(
                        f"a layout worker stopped (exit code {worker.exitcode}) before it sent its parts; "
                        "build again with --jobs 1"
                    ) from None
                continue
            if message[0] == "error":
                raise EditionError(message[1])
            if message[0] == "failed":
                raise RuntimeError(f"a layout worker failed:\n{message[1]}")
            _, name, data, count = message
            laid_out[name] = read(data)
            pages += count
    return laid_out, pages
