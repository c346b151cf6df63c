"""The parts of a cold layout laid out side by side, in worker processes; and work done beside.

`pdf.layout` lays out first the parts that print no page numbers (the essays, the further
reading, the note on the text): each on its own, opening on a right-hand page, its pages the
same whatever page it starts on (their numbers are laid out apart: `typeset.renumber`). With
more than one job and more than one such part to lay out, `side_by_side` lays them out in
`jobs` worker processes forked from this one, which inherit its typesetter (the fonts and
stylesheets, read once); each worker takes the next part, in their order, as soon as it has
sent the last (so no part's length need be guessed beforehand). Each worker sends each part's
layout back as bytes as soon as it is made (`typeset.pickled`), and this process reads them
back into pages of its own (`typeset.unpickled`), as if it had laid them out: the outputs are
the same bytes whatever the number of jobs. `side_by_side` can have this process do something
`meanwhile` (`pdf` draws the pages laid out so far for the PDF while a worker lays out the
register); `beside` does one piece of work in a worker while this process does another (the
build makes the EPUB so while it writes the PDF).

Forked, not started anew: a new interpreter would import WeasyPrint and read the fonts again, a
second and more, for a layout of a few seconds. A worker that fails says why; one that stops
without a word (killed, out of memory) is reported as such; either way the others are stopped,
and the build writes nothing.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from typing import TypeVar

from ..errors import EditionError

T = TypeVar("T")
# A part's layout made in a worker: the part's layout as bytes, and the pages laid out for it.
LaidOut = tuple[bytes, int]


def available_cores() -> int:
    """The cores this process may run on (fewer than the machine's in a container or under
    `taskset`)."""
    return len(os.sched_getaffinity(0))


def side_by_side(
    names: Sequence[str],
    jobs: int,
    lay_out: Callable[[int], LaidOut],
    read: Callable[[str, bytes], T],
    meanwhile: Callable[[], None] | None = None,
) -> tuple[dict[str, T], int]:
    """Each part laid out in one of `jobs` workers at most (`lay_out(index)`, in the forked
    process), read back here as it arrives (`read(name, data)`), by name, while this process
    does `meanwhile`, if anything; and the pages laid out in all."""
    context = multiprocessing.get_context("fork")
    workers: dict[Connection, BaseProcess] = {}
    taken = context.Value("i", 0)  # how many parts the workers have taken
    try:
        for _ in range(min(jobs, len(names))):
            receiving, sending = context.Pipe(duplex=False)
            others = [*workers, receiving]  # the ends this process reads from, which the worker inherits
            worker = context.Process(target=_work, args=(names, lay_out, taken, sending, others), daemon=True)
            worker.start()
            sending.close()  # this process's copy: the pipe ends when the worker closes its own
            workers[receiving] = worker
        if meanwhile is None:
            return _gather(workers, read)
        # What the workers send is read in a thread while this one does `meanwhile`: a worker
        # that has sent its last part ends at once, and lets go of its memory (a copy of much of
        # the build's, by then), rather than wait with it until `meanwhile` is done.
        reading = ThreadPoolExecutor(1)
        try:
            gathered = reading.submit(_gather, workers, read)
            meanwhile()
            return gathered.result()
        finally:
            reading.shutdown(wait=False)  # if `meanwhile` failed: the workers are stopped below
    finally:
        for connection, worker in workers.items():
            if worker.is_alive():
                worker.terminate()
            worker.join()
            connection.close()


def beside(work: Callable[[], bytes], meanwhile: Callable[[], T]) -> tuple[bytes, T]:
    """`work()` done in a worker process forked now, while this one does `meanwhile()`: what
    each made. The worker's problems reach this process as `side_by_side`'s do."""
    done: list[T] = []
    made, _ = side_by_side(["work"], 1, lambda _: (work(), 0), lambda _, data: data, lambda: done.append(meanwhile()))
    return made["work"], done[0]


def _work(
    names: Sequence[str],
    lay_out: Callable[[int], LaidOut],
    taken: Synchronized,
    sending: Connection,
    others: list[Connection],
) -> None:
    """In a worker: the next part not yet taken, laid out and sent, until none is left; or why
    one could not be."""
    # Ctrl-C reaches every process of the terminal's group: the build's own ends the workers,
    # with SIGTERM, which ends a worker at once (not through the build's own handler).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # What the worker inherits lives as long as it does: out of its collector's scans, which
    # would write to every object's header, and so copy every page of memory it shares with
    # the build's process (a second copy of a long edition's layout; see `memory`).
    gc.freeze()
    # Only the build's process reads: if it dies (killed, out of memory), a worker's next send
    # fails, and the worker ends, rather than wait for ever with a reading end of its own.
    for connection in others:
        connection.close()
    try:
        while True:
            with taken.get_lock():
                index = taken.value
                taken.value += 1
            if index >= len(names):
                break
            data, pages = lay_out(index)
            sending.send(("part", names[index], data, pages))
    except EditionError as error:
        sending.send(("error", str(error)))
    except Exception:  # anything else is a bug: its traceback goes to the build
        sending.send(("failed", traceback.format_exc()))
    finally:
        sending.close()


def _gather(workers: Mapping[Connection, BaseProcess], read: Callable[[str, bytes], T]) -> tuple[dict[str, T], int]:
    """What the workers send, read as it comes, until each has closed its end."""
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
                        f"a worker process stopped (exit code {worker.exitcode}) before it sent what it made; "
                        "build again with --jobs 1"
                    ) from None
                continue
            if message[0] == "error":
                raise EditionError(message[1])
            if message[0] == "failed":
                raise RuntimeError(f"a worker process failed:\n{message[1]}")
            _, name, data, count = message
            laid_out[name] = read(name, data)
            pages += count
    return laid_out, pages
