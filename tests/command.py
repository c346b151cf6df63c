"""`python -m edition …` as a user runs it, for the tests of the command line: its exit code and
what it prints, from a process of its own.

A new interpreter takes about 0.2 s of processor time to start and import the command line
before it does anything, and 0.45 s more to import WeasyPrint for a command that lays something
out; the suite runs the command more than a hundred times, mostly for one line of error. So `run`
starts one helper per test process, which imports `edition.cli` (as `python -m edition` does
before it calls `main`), then `edition.layout.pdf` and with it WeasyPrint (as a command does before it
lays out), and forks it for each command: the command runs in a process of its own, in its own
working folder and environment, with its own arguments, standard input (empty), output and error
(files, read back as text as `subprocess.run(..., capture_output=True, text=True)` reads them)
and exit status. An exception that escapes prints its traceback on the standard error and exits
1, as Python does. (That those imports print nothing and start no thread, which a fork could not
copy, tests/test_command.py checks in a new interpreter.)

What a forked process does not give: a new interpreter's start-up, and its own hash seed. A test
that compares the bytes of builds in separate processes (tests/test_inputs_hostile.py), or about
what a new interpreter has imported (tests/test_build.py), runs `subprocess` itself.
"""

from __future__ import annotations

import atexit
import json
import locale
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The helper: read one request (a line of JSON) at a time on its standard input, fork, run the
# command in the child, and answer on its standard output with the child's pid, then its
# wait status.
HELPER = r"""
import atexit, json, os, runpy, sys, tempfile
import edition.cli  # what `python -m edition` imports before `main`
import edition.layout.pdf  # and WeasyPrint, which a command that lays something out imports next

requests, answers = os.dup(0), os.dup(1)
null = os.open(os.devnull, os.O_RDWR)
os.dup2(null, 0)
os.dup2(null, 1)
os.close(null)


def answer(**message):
    os.write(answers, (json.dumps(message) + "\n").encode())


def exit_code(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def command(request):
    os.close(requests)
    os.close(answers)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # found again, from the command's own TMPDIR, as a new process would
    for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY),
                            (2, request["stderr"], os.O_WRONLY)):
        opened = os.open(path, flags)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = ["-m", *request["args"]]
    try:
        runpy.run_module("edition", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exit:
        code = exit_code(exit.code)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            code = 120
    os._exit(code)


pending = b""
while True:
    while b"\n" not in pending:
        chunk = os.read(requests, 65536)
        if not chunk:
            sys.exit(0)
        pending += chunk
    line, pending = pending.split(b"\n", 1)
    request = json.loads(line)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        command(request)
    answer(pid=pid)
    answer(status=os.waitpid(pid, 0)[1])
"""

# Variables a new interpreter reads as it starts, before any code of ours: a command given other
# values than the helper's runs in a new interpreter after all.
STARTUP = ("PYTHON", "LANG", "LC_")

# The longest a helper may take to start (to import the edition) and fork a command.
HELPER_START = 120
_helper: subprocess.Popen | None = None
_helper_env: dict[str, str] = {}  # the environment the helper started in


def _started() -> subprocess.Popen:
    global _helper
    if _helper is None or _helper.poll() is not None:
        _helper_env.clear()
        _helper_env.update(os.environ)
        _helper = subprocess.Popen(
            [sys.executable, "-c", HELPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_helper_env
        )
        atexit.register(_helper.stdin.close)
    return _helper


def _answer(helper: subprocess.Popen, deadline: float | None) -> dict | None:
    """The helper's next answer, or None if `deadline` passes first."""
    line = b""
    while not line.endswith(b"\n"):
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not select.select([helper.stdout], [], [], wait)[0]:
            return None
        chunk = os.read(helper.stdout.fileno(), 1)
        if not chunk:
            raise RuntimeError("the helper that runs the edition's commands has died")
        line += chunk
    return json.loads(line)


def _decoded(path: Path) -> str:
    """The file as `subprocess.run(..., text=True)` reads a stream: the locale's encoding, and
    universal newlines."""
    text = path.read_bytes().decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess:
    """`python -m edition *args` in `cwd`, in the environment `env` (by default this process's),
    as `subprocess.run(..., capture_output=True, text=True, timeout=timeout)` runs it: its exit
    code, standard output and standard error; `subprocess.TimeoutExpired` if it runs longer than
    `timeout` seconds, after it is killed."""
    command = [sys.executable, "-m", "edition", *args]
    env = dict(os.environ if env is None else env)
    if any("\0" in text for text in [*args, *env, *env.values()]):
        raise ValueError("embedded null byte")  # as subprocess refuses it: no process gets such an argument
    helper = _started()
    if any(env.get(name) != _helper_env.get(name) for name in {*env, *_helper_env} if name.startswith(STARTUP)):
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="edition-command-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        out.touch()
        err.touch()
        request = {"args": list(args), "cwd": str(cwd), "env": env, "stdout": str(out), "stderr": str(err)}
        helper.stdin.write((json.dumps(request) + "\n").encode())
        helper.stdin.flush()
        # The command's time starts when the helper has forked it: a helper just started imports
        # the edition first, which a short `timeout` must not count.
        started = _answer(helper, time.monotonic() + HELPER_START)
        if started is None:
            raise RuntimeError("the helper that runs the edition's commands does not answer")
        deadline = None if timeout is None else time.monotonic() + timeout
        pid, killed = started["pid"], False
        try:
            answer = _answer(helper, deadline)
            if answer is None:  # too long: killed, as subprocess.run kills it
                os.kill(pid, signal.SIGKILL)
                killed = True
                answer = _answer(helper, None)
        except BaseException:  # the test itself stopped waiting (an alarm, Ctrl-C): kill it
            os.kill(pid, signal.SIGKILL)
            _answer(helper, None)
            raise
        if killed:
            raise subprocess.TimeoutExpired(command, timeout, _decoded(out), _decoded(err))
        code = os.waitstatus_to_exitcode(answer["status"])
        return subprocess.CompletedProcess(command, code, _decoded(out), _decoded(err))
