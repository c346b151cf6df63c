"""Git, run on a project without letting the project's own configuration run a program.

A project may come from anyone (a colleague's tarball, a clone), and its `.git/config` can name
programs that git runs on its own: an fsmonitor hook, hooks, clean and smudge filters, a GPG
program for `log.showSignature`, an external diff. `run` starts git with each of those switched
off on its command line (which overrides the repository's configuration), without the system's
or the user's configuration, without optional locks (so that it writes no index, and no hook runs
for it), with no prompt, and with an environment of its own (the caller's `PATH` only); and the
callers use only commands that apply no filter and refresh no index: `rev-parse`, `log` with a
path limit and no patch, `ls-tree`, `ls-files`, `cat-file --batch`. Whether a file differs from
the commit is worked out here (`blob_id`), not asked of `git status`, which refreshes the index
and may run a filter on the way.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from ..errors import EditionError

SWITCHED_OFF = [
    "core.fsmonitor=false",
    f"core.hooksPath={os.devnull}",
    "core.untrackedCache=false",
    "log.showSignature=false",
    "diff.external=",
    "core.pager=cat",
]


def run(where: Path, *args: str, stdin: bytes = b"") -> bytes:
    """What the git command `args` prints, run in `where` (see the module docstring);
    `EditionError` if it cannot be run or fails."""
    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
    }
    command = ["git", "--no-pager", *(part for setting in SWITCHED_OFF for part in ("-c", setting)), *args]
    try:
        done = subprocess.run(command, cwd=where, env=environment, input=stdin, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as error:
        raise EditionError(f"cannot run git: {error}") from None
    if done.returncode:
        raise EditionError(f"git {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def blob_id(data: bytes) -> str:
    """The id git gives a file's bytes (before any filter)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
