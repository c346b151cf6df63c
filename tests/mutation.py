"""The mutation score (`./run mutate`): how many of the small bugs mutmut plants in the modules
whose tests are fast those tests catch, module by module, and which they miss.

    ./run mutate [--max-children N] [--again] [MODULE…]     MODULE: a name in MODULES (default: all)

mutmut (pinned in requirements-mutate.lock, configured in pyproject.toml's [tool.mutmut]) copies
the project into mutants/, where each function of the modules it mutates becomes a trampoline to
the original or to one of its mutants, and records, in one run of the tests pyproject names, which
test calls which function. Then, for each mutant, it runs in a forked process only the tests that
call its function, and the mutant is killed if one fails. This runs it over the mutants of the
functions each MODULE names, with at most `--max-children` processes (default 2: the machine is
shared), then writes every result there is in mutants/ to `dist/mutation.txt`: the score per
module, and each mutant that survived, with its diff, in the order of the modules and then of the
mutants' names. (The README's testing section says how to read a survivor.)

Loaded by pytest as a plugin too (`-p tests.mutation`, in pyproject's [tool.mutmut]): see
`pytest_configure`.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = Path(sys.executable).parent / "mutmut"
REPORT = Path("dist") / "mutation.txt"

# The functions mutated, by module: mutmut names a mutant `<module>.x_<function>__mutmut_<n>`, or
# `<module>.xǁ<class>ǁ<method>__mutmut_<n>`. Whole modules, but for two: of build.py, the logic
# that decides what a build skips and `explain` says; of the keeping stage, `verify`, that is
# bag.py's check of a BagIt package (an OCFL object is checked by ocfl-py's own validator) and
# archive.py's choice between the two.
MODULES: dict[str, tuple[str, list[str]]] = {
    "gate": ("edition/gate.py", ["edition.gate.*"]),
    "record": ("edition/keeping/record.py", ["edition.keeping.record.*"]),
    "build": (
        "edition/build.py",
        [f"edition.build.x_{name}__mutmut_*" for name in ("_build", "_build_proof", "explain", "_why", "_changed")],
    ),
    "breaks": ("edition/layout/breaks.py", ["edition.layout.breaks.*"]),
    "rejoin": ("edition/layout/rejoin.py", ["edition.layout.rejoin.*"]),
    "apparatus": ("edition/sources/apparatus.py", ["edition.sources.apparatus.*"]),
    "profiles": ("edition/sources/profiles.py", ["edition.sources.profiles.*"]),
    "verify": (
        "edition/keeping/bag.py, edition/keeping/archive.py",
        [
            *(
                f"edition.keeping.bag.x_{name}__mutmut_*"
                for name in (
                    "verify",
                    "listing",
                    "_standard_tag_file",
                    "read_regular",
                    "_text_lines",
                    "_check_bagit_txt",
                    "_check_bag_info",
                    "_read_manifest",
                    "_check_entries",
                    "_checksums",
                )
            ),
            "edition.keeping.bag.xǁReportǁ*",
            "edition.keeping.archive.x_verify__mutmut_*",
            "edition.keeping.archive.x_main_verify__mutmut_*",
        ],
    ),
}
DETECTED = {"killed", "timeout", "segfault"}  # a test failed, or ran out of time (SIGKILL: "segfault"), or crashed


def pytest_configure(config) -> None:
    """Under mutmut, in the process that runs the tests. In its first run, which records which
    test calls which mutated function ("stats"), a command a test runs in a process of its own
    (tests/command.py) must run the original code: mutmut's recording reads its configuration
    from the working folder, which is the test's project there, not this one. mutmut keeps the
    mode in its own process too, so only the environment the commands inherit loses it. In a
    run of one mutant, the commands must run that mutant: each such run starts its own helper
    (tests/command.py), in an environment that names it, rather than share the one the first run
    started, from which every run is forked."""
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        del os.environ["MUTANT_UNDER_TEST"]
    from tests import command

    command._helper = None


def _natural(name: str) -> tuple:
    return tuple(int(piece) if piece.isdigit() else piece for piece in re.split(r"(\d+)", name))


def results() -> dict[str, str]:
    """The status of every mutant mutmut has made (killed, survived, no tests, timeout, not
    checked…), by name, as `mutmut results --all true` prints them."""
    printed = subprocess.run([MUTMUT, "results", "--all", "true"], capture_output=True, text=True, check=True).stdout
    found = (re.fullmatch(r"\s+(\S+): (.+)", line) for line in printed.splitlines())
    return {match[1]: match[2] for match in found if match}


def report(statuses: dict[str, str]) -> str:
    """The score of each module and its survivors, with their diffs (`mutmut show`)."""
    lines = ["Mutation score: the share of the mutants of each module that its fast tests kill.", ""]
    lines.append(
        f"{'module':<11} {'mutants':>7} {'killed':>7} {'survived':>8} {'no tests':>8} {'unrun':>6} {'score':>7}"
    )
    survivors: list[tuple[str, str]] = []
    totals = [0, 0]
    for module, (files, patterns) in MODULES.items():
        names = sorted((n for n in statuses if any(fnmatch(n, p) for p in patterns)), key=_natural)
        counts = {status: 0 for status in ("detected", "survived", "no tests", "not checked")}
        for name in names:
            status = statuses[name]
            kind = "detected" if status in DETECTED else status if status in counts else "survived"
            counts[kind] += 1
            if kind in ("survived", "no tests"):
                survivors.append((module, name))
        run = len(names) - counts["not checked"]
        score = f"{100 * counts['detected'] / run:6.1f}%" if run else "     -"
        totals[0] += counts["detected"]
        totals[1] += run
        lines.append(
            f"{module:<11} {len(names):>7} {counts['detected']:>7} {counts['survived']:>8} "
            f"{counts['no tests']:>8} {counts['not checked']:>6} {score:>7}   {files}"
        )
    overall = f"{100 * totals[0] / totals[1]:.1f}%" if totals[1] else "-"
    lines += ["", f"all modules: {totals[0]} of {totals[1]} mutants run killed: {overall}", ""]
    lines.append("Survivors (`mutmut show NAME` shows one; `mutmut apply NAME` writes it into edition/):")
    for module, name in survivors:
        shown = subprocess.run([MUTMUT, "show", name], capture_output=True, text=True).stdout.rstrip()
        lines += ["", f"[{module}] {statuses[name]}", shown]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./run mutate", description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=", ".join(MODULES))
    parser.add_argument("--max-children", type=int, default=2, help="processes running mutants at once (default 2)")
    parser.add_argument("--report-only", action="store_true", help="write the report from the results in mutants/")
    parser.add_argument(
        "--again",
        action="store_true",
        help="run again only the functions with a mutant not killed in the last run (after a test is added, or a "
        "line marked)",
    )
    options = parser.parse_args(argv)
    unknown = [module for module in options.modules if module not in MODULES]
    if unknown:
        parser.error(f"no module {', '.join(unknown)}; the modules are {', '.join(MODULES)}")
    os.chdir(ROOT)
    if not options.report_only:
        patterns = [p for module in options.modules or MODULES for p in MODULES[module][1]]
        if options.again:
            # Every mutant of each function that has one not killed: a function whose code
            # changed (a line marked) has its mutants made and numbered anew by this run.
            left = [name for name, status in results().items() if status not in DETECTED]
            patterns = sorted(
                {
                    f"{name.rsplit('__mutmut_', 1)[0]}__mutmut_*"
                    for name in left
                    if any(fnmatch(name, p) for p in patterns)
                }
            )
            if not patterns:
                print("no mutant left to run again")
        if patterns:
            command = [MUTMUT, "run", "--max-children", str(options.max_children), *patterns]
            code = subprocess.run(command).returncode
            if code:  # the report says which mutants it did not get to
                print(f"mutmut run ended with exit code {code}", file=sys.stderr)
    text = report(results())
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text)
    print(text.split("\nSurvivors")[0], end="")
    print(f"survivors and their diffs: {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
