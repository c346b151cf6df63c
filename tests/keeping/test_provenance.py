"""The commit a build names, read with git so that nothing the project's own configuration names
runs: a project received from anyone may set programs for git to run on `status`, `log` or
`rev-parse` (issue 29)."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from tests import command
from tests.mini import EPUB, make_mini

# Every setting of a repository's own configuration that makes git run a program during the
# commands a build could use (status, log, diff, rev-parse): each would write its name to a marker.
PLANTED = {
    "core.fsmonitor": "fsmonitor",
    "core.hooksPath": None,  # a folder of hooks, below
    "filter.evil.clean": "clean-filter",
    "filter.evil.smudge": "smudge-filter",
    "filter.evil.process": "process-filter",
    "log.showSignature": None,  # with gpg.program
    "gpg.program": "gpg",
    "diff.external": "external-diff",
    "core.pager": "pager",
    "core.editor": "editor",
    "core.sshCommand": "ssh",
    "core.askPass": "askpass",
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def test_a_build_runs_nothing_the_project_s_git_configuration_names(tmp_path: Path):
    project = make_mini(tmp_path / "project")
    git(project.root, "init", "-q")
    git(project.root, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    git(project.root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    head = git(project.root, "rev-parse", "HEAD").strip()
    ran = tmp_path / "ran"
    ran.mkdir()
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for name in {*filter(None, PLANTED.values()), "post-index-change", "pre-commit", "post-checkout"}:
        script = scripts / name
        script.write_text(f"#!/bin/sh\ntouch {ran / name}\ncat\n")
        script.chmod(0o755)
    for setting, name in PLANTED.items():
        value = str(scripts) if setting == "core.hooksPath" else "true" if name is None else str(scripts / name)
        git(project.root, "config", setting, value)
    hooks = project.root / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in ("post-index-change", "pre-commit", "post-checkout"):
        (hooks / name).write_bytes((scripts / name).read_bytes())
        (hooks / name).chmod(0o755)
    (project.root / ".gitattributes").write_text("* filter=evil diff=evil\n")
    essay = project.source_dir / "ames-2001.xml"
    essay.write_text(essay.read_text().replace("in exile.", "in exile, in 1937."))  # a change git must look at
    done = command.run("build", "--format", "epub", cwd=project.root, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in ran.iterdir()) == []
    colophon = zipfile.ZipFile(project.dist_dir / EPUB).read("EPUB/colophon.xhtml").decode()
    assert f"Built from commit {head}+modified" in colophon
