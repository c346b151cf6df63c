"""The transfer bag: one version of the edition as a BagIt package (RFC 8493), and the
verification of such a package.

The OCFL object keeps the versions (`ocfl`); a library that ingests BagIt packages is handed one
version as a bag. `export` writes, under `<slug>-<version>/` in the folder it is given, the files
of that version as the object keeps them (`archive.export_bag` hands over each file, already
checked against its digest): the PDF, the EPUB, the sources the edition lists, the schema, the
stylesheets and the fonts they use, with the fonts' licence, and the build record — the package
`edition archive` made of each version before the OCFL object. A package already there with the
same payload is left as it is; with another payload the new one is refused, and so it is over a
package that is damaged. Nothing here ever deletes or rewrites an existing package. One export
at a time writes to a folder (its lock, as for a build), and a run removes the staging folders
(`.<slug>-<version>.<random>.part/`) that a killed run left there.

`verify` checks a package itself, without the `bagit` library: `bagit.Bag` decodes the tag files
strictly (one flipped high bit is a `UnicodeDecodeError`), opens every listed path (a FIFO blocks
it for ever), skips malformed manifest lines, looks up lists (quadratic), and reports an
absent tag manifest as the other tag files being "extra". Here every file of the package is
listed once without following symlinks, each manifest is read once into a dictionary, and each
regular file is read once for all its checksums: the work is linear in the number of files and
manifest lines. A FIFO, device, socket or symlink is reported, never opened; every missing,
extra, altered and malformed item is named, one line each.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import bagit

from ..errors import DamagedPackage, EditionError
from ..gate import KINDS, printable, regular_file_opener, writing_to
from ..sources.model import Edition

CHECKSUMS = ["sha256", "sha512"]
RECORD = "build-record.json"  # the build record, in the payload as in the object's versions


@dataclass
class Outcome:
    """What was archived or exported where, and whether it was written now or was there already."""

    path: Path
    created: bool
    version: str = ""  # the OCFL version (`v2`), for an object


def export(into: Path, name: str, files: dict[str, Path], info: dict[str, str]) -> Outcome:
    """Bag `files` (by its path under the payload's data/, each file to copy there) as the
    package `into/name`; see the module docstring for the rules."""
    target = into / name
    make_folder(into)
    busy = f"another archive is being written to {into}/; try again when it has finished"
    with writing_to(into, busy, staging=True):
        exists = intact_at(target, "package", verify)
        staging = staging_folder(into, name)
        try:
            try:
                for relative, source in files.items():
                    destination = staging / relative
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(read_regular(source))
                bagit.make_bag(str(staging), info, checksums=CHECKSUMS)
            except OSError as error:
                raise EditionError(f"cannot write the package in {into}: {error.strerror or error}") from None
            if exists:
                if _payload(target) != _payload(staging):
                    raise EditionError(
                        f"{target} already holds a package of this version with other contents; it was left as it is"
                    )
                return Outcome(target, created=False)
            try:
                os.rename(staging, target)  # fails over a package: a non-empty folder is never replaced
            except OSError as error:
                raise EditionError(f"cannot move the package into {target}: {error.strerror}") from None
            return Outcome(target, created=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EditionError(f"cannot write to the folder {folder}: {error.strerror}") from None


def bag_info(edition: Edition, day: str) -> dict[str, str]:
    """The package's description in bag-info.txt, from the sources of the version it holds;
    `day` (YYYY-MM-DD) is the day its outputs are stamped with, which bagit would otherwise take
    from the clock, so that the same version gives the same bag on any day."""
    return {
        "Bagging-Date": day,
        "Source-Organization": edition.publisher,
        "External-Description": f"{edition.full_title}, version {edition.version} ({edition.date}): "
        "print PDF, EPUB, TEI sources, schema and styles.",
        "External-Identifier": f"{edition.slug}-{edition.version}",
        "Version": edition.version,
    }


def intact_at(target: Path, kind: str, problems_of: Callable[[Path], list[str]]) -> bool:
    """Whether a `kind` ("package", "OCFL object") is already at `target`; `DamagedPackage` if
    `problems_of` finds it damaged, and `EditionError` if something else is there."""
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return False
    except OSError as error:
        raise EditionError(f"cannot read {target}: {error.strerror}") from None
    if not stat.S_ISDIR(mode):
        article = "an" if kind[0] in "AEIOUaeiou" else "a"
        raise EditionError(f"{target} exists and is not {article} {kind}'s folder; it was left as it is")
    problems = problems_of(target)
    if problems:
        raise DamagedPackage(
            f"the {kind} {target} is damaged ({summary(problems)}); it was left as it is, and nothing was "
            f"written: `edition verify {target}` names every problem"
        )
    return True


def staging_folder(into: Path, name: str) -> Path:
    """A new folder in `into` to make `name` in before it is moved into place
    (`.<name>.<random>.part`: what `gate.remove_stale_temporaries` removes after a killed run)."""
    try:
        return Path(tempfile.mkdtemp(dir=into, prefix=f".{name}.", suffix=".part"))
    except OSError as error:
        raise EditionError(f"cannot write to {into}: {error.strerror}") from None


def summary(problems: list[str]) -> str:
    """The first problem, and how many more there are."""
    more = len(problems) - 1
    return problems[0] + (f" and {more} more problem{'s' if more > 1 else ''}" if more else "")


def _payload(bag: Path) -> dict[str, str]:
    """The payload's checksums, except the build record's (it names the commit and tools)."""
    manifest = _read_manifest(bag, "manifest-sha256.txt", "sha256", payload=True, report=Report())
    return {path: checksum for path, (checksum, _) in manifest.items() if path != f"data/{RECORD}"}


# Verification. The checksum algorithms a manifest may use, and the length of their hex digests.
ALGORITHMS = {
    name: hashlib.new(name).digest_size * 2 for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
}
MANIFEST = re.compile(r"(?P<tag>tag)?manifest-(?P<algorithm>[^/]+)\.txt")
MANIFEST_LINE = re.compile(r"(?P<checksum>[0-9A-Fa-f]+)[ \t]+(?P<path>.+)")
BAG_INFO_LINE = re.compile(r"[^:\s][^:]*:.*|[ \t].*")  # a label and its value, or a continued value
BAGIT_VERSIONS = ("0.97", "1.0")
CHUNK = 1 << 20


@dataclass
class Report:
    """The problems of a package, by kind; printed in this order, each kind sorted."""

    malformed: set[str] = field(default_factory=set)
    irregular: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    extra: set[str] = field(default_factory=set)
    inconsistent: set[str] = field(default_factory=set)
    altered: set[str] = field(default_factory=set)

    def lines(self) -> list[str]:
        def each(kind: str, items) -> list[str]:
            return [f"{kind}: {printable(item)}" for item in sorted(items)]

        return [
            *each("malformed", self.malformed),
            *each("not a regular file", self.irregular),
            *each("unreadable", self.unreadable),
            *each("missing", self.missing),
            *each("extra", self.extra),
            *each("inconsistent", self.inconsistent),
            *each("altered", self.altered),
        ]


def verify(path: Path) -> list[str]:
    """Every problem of a package, one line each, naming the file; empty if it is intact."""
    report = Report()
    folders, regular, irregular = listing(path, report)
    for name, kind in irregular.items():
        report.irregular.add(f"{name} ({kind})")
    if "data" not in folders:
        report.missing.add("data/")
    _check_bagit_txt(path, regular, irregular, report)
    if "bag-info.txt" in regular:
        _check_bag_info(path, report)

    # Each manifest: {path: (checksum, line)}, by kind (payload or tag) and algorithm.
    manifests: dict[bool, dict[str, dict[str, tuple[str, int]]]] = {True: {}, False: {}}
    for name in sorted(regular):
        match = MANIFEST.fullmatch(name)
        if not match:
            continue
        payload, algorithm = not match["tag"], match["algorithm"]
        if algorithm not in ALGORITHMS:
            report.malformed.add(f"{name}: no such checksum algorithm as {algorithm!r}")
            continue
        manifests[payload][algorithm] = _read_manifest(path, name, algorithm, payload, report)
    if not manifests[True] and "manifest-sha256.txt" not in irregular:
        report.missing.add("manifest-sha256.txt")
    for algorithm in manifests[True]:
        name = f"tagmanifest-{algorithm}.txt"
        if name not in regular and name not in irregular:
            report.missing.add(name)

    listed = set()
    for payload, by_algorithm in manifests.items():
        listed |= _check_entries(path, payload, by_algorithm, regular, irregular, report)
    for name in regular:
        if name not in listed and not _standard_tag_file(name):
            report.extra.add(name)
    return report.lines()


def listing(root: Path, report: Report) -> tuple[set[str], set[str], dict[str, str]]:
    """The folders, regular files and other files (with what they are) of a package or an OCFL
    object, by their path in it, each seen with `lstat`: a symlink is not followed."""
    folders, regular, irregular = set(), set(), {}
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(root / folder) as listing:
                entries = list(listing)
        except OSError as error:
            report.unreadable.add(f"{folder}/ ({error.strerror})")
            continue
        for entry in entries:
            name = f"{folder}/{entry.name}" if folder else entry.name
            try:
                # (The mutant follow_symlinks=None survives, equivalent: None is false, as False is.)
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as error:
                report.unreadable.add(f"{name} ({error.strerror})")
                continue
            if stat.S_ISDIR(mode):
                folders.add(name)
                pending.append(name)
            elif stat.S_ISREG(mode):
                regular.add(name)
            else:
                # (Mutants of the default survive, equivalent: lstat() gives no kind of file on
                # Linux that is neither a symlink nor in KINDS.)
                irregular[name] = "a symlink" if stat.S_ISLNK(mode) else KINDS.get(stat.S_IFMT(mode), "not a file")
    return folders, regular, irregular


def _standard_tag_file(name: str) -> bool:
    """A tag file a package may hold without a tag manifest listing it."""
    match = MANIFEST.fullmatch(name)
    return name in ("bagit.txt", "bag-info.txt") or bool(match and match["algorithm"] in ALGORITHMS)


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file, opened so that nothing else is: not through a symlink, and
    not a FIFO (which would block)."""
    with open(path, "rb", buffering=0, opener=regular_file_opener) as stream:
        return stream.readall()


def _text_lines(root: Path, name: str, report: Report) -> list[tuple[int, str]] | None:
    """The lines of a tag file, numbered, each decoded from UTF-8; a line that is not UTF-8 is
    reported and left out. None if the file cannot be read."""
    try:
        data = read_regular(root / name)
    except OSError as error:
        report.unreadable.add(f"{name} ({error.strerror})")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        report.malformed.add(f"{name} line 1: starts with a byte-order mark")
        data = data[3:]
    lines = []
    for number, line in enumerate(data.splitlines(), 1):
        try:
            # Equivalent mutant: "UTF-8" (codec names are not case-sensitive).
            lines.append((number, line.decode("utf-8")))  # pragma: no mutate
        except UnicodeDecodeError:
            report.malformed.add(f"{name} line {number}: not UTF-8 text")
    return lines


def _check_bagit_txt(root: Path, regular: set[str], irregular: dict[str, str], report: Report) -> None:
    if "bagit.txt" not in regular:
        if "bagit.txt" not in irregular:
            report.missing.add("bagit.txt")
        return
    lines = _text_lines(root, "bagit.txt", report)
    if lines is None:
        return
    seen = {}
    for number, line in lines:
        label, _, value = line.partition(": ")
        if label in ("BagIt-Version", "Tag-File-Character-Encoding") and label not in seen:
            seen[label] = (number, value)
        else:
            report.malformed.add(f"bagit.txt line {number}: not a BagIt version or tag file encoding")
    if "BagIt-Version" not in seen:
        report.malformed.add("bagit.txt: no BagIt-Version")
    elif seen["BagIt-Version"][1] not in BAGIT_VERSIONS:
        number, value = seen["BagIt-Version"]
        report.malformed.add(f"bagit.txt line {number}: BagIt version {value!r} is not {' or '.join(BAGIT_VERSIONS)}")
    if "Tag-File-Character-Encoding" not in seen:
        report.malformed.add("bagit.txt: no Tag-File-Character-Encoding")
    elif seen["Tag-File-Character-Encoding"][1] != "UTF-8":
        number, value = seen["Tag-File-Character-Encoding"]
        report.malformed.add(f"bagit.txt line {number}: tag file encoding {value!r} is not UTF-8")


def _check_bag_info(root: Path, report: Report) -> None:
    for number, line in _text_lines(root, "bag-info.txt", report) or []:
        if not BAG_INFO_LINE.fullmatch(line) or (number == 1 and line[:1] in " \t"):
            report.malformed.add(f"bag-info.txt line {number}: not 'Label: value'")


def _read_manifest(root: Path, name: str, algorithm: str, payload: bool, report: Report) -> dict[str, tuple[str, int]]:
    """A manifest's entries, {path: (checksum, line number)}; each line that is not a checksum of
    the algorithm's length, blanks, and a path of the package (under data/ for the payload, else
    outside it), or repeats a path, is reported as malformed and left out."""
    entries: dict[str, tuple[str, int]] = {}
    for number, line in _text_lines(root, name, report) or []:
        match = MANIFEST_LINE.fullmatch(line)
        problem = ""  # pragma: no mutate (equivalent: None, read only for its truth, is as "")
        if not match:
            problem = "not '<checksum>  <path>'"
        elif len(match["checksum"]) != ALGORITHMS[algorithm]:
            problem = f"a {algorithm} checksum has {ALGORITHMS[algorithm]} hex digits, not {len(match['checksum'])}"
        else:
            entry = match["path"].replace("%0A", "\n").replace("%0D", "\r")  # as bagit encodes them
            parts = entry.split("/")
            # (The mutant startswith("XX/XX") survives, equivalent: an absolute path's first part
            # is "", refused by the rest of the line, whose other mutants matter.)
            if entry.startswith("/") or any(part in ("", ".", "..") for part in parts):
                problem = f"{entry!r} is not a path inside the package"
            elif payload != (parts[0] == "data") or (payload and len(parts) == 1):
                problem = f"{entry!r} is {'not ' if payload else ''}in the payload (data/)"
            elif not payload and MANIFEST.fullmatch(entry) and entry.startswith("tag"):
                problem = f"a tag manifest lists {entry!r}"
            elif entry in entries:
                problem = f"{entry!r} is listed again (first on line {entries[entry][1]})"
            else:
                entries[entry] = (match["checksum"].lower(), number)
        if problem:
            report.malformed.add(f"{name} line {number}: {problem}")
            report.altered.add(name)
    return entries


def _check_entries(
    root: Path,
    payload: bool,
    by_algorithm: dict[str, dict[str, tuple[str, int]]],
    regular: set[str],
    irregular: dict[str, str],
    report: Report,
) -> set[str]:
    """Check every file the manifests of one kind list, each read once; the paths they list.

    A file listed by some of the manifests only, or whose checksum some of them give and others
    do not, tells which manifests were altered: those that disagree with the file as it is."""
    prefix = "" if payload else "tag"
    listed: dict[str, list[str]] = {}
    for algorithm, entries in by_algorithm.items():
        for entry in entries:
            listed.setdefault(entry, []).append(algorithm)
    for entry, algorithms in listed.items():
        if entry in irregular:
            continue  # reported as such, and never opened
        exists = entry in regular
        if len(algorithms) < len(by_algorithm):
            lacking = sorted(set(by_algorithm) - set(algorithms))
            report.inconsistent.add(
                f"{entry} is listed in {', '.join(f'{prefix}manifest-{a}.txt' for a in sorted(algorithms))} "
                f"but not in {', '.join(f'{prefix}manifest-{a}.txt' for a in lacking)}"
            )
            report.altered |= {f"{prefix}manifest-{a}.txt" for a in (lacking if exists else algorithms)}
        elif not exists:
            report.missing.add(entry)
        if not exists:
            continue
        try:
            found = _checksums(root / entry, algorithms)
        except OSError as error:
            report.unreadable.add(f"{entry} ({error.strerror})")
            continue
        wrong = [a for a in algorithms if by_algorithm[a][entry][0] != found[a]]
        if wrong and len(wrong) == len(algorithms):
            report.altered.add(entry)
        else:
            report.altered |= {f"{prefix}manifest-{a}.txt" for a in wrong}
    return set(listed)


def _checksums(path: Path, algorithms: list[str]) -> dict[str, str]:
    """The file's checksums, read once, in chunks; never through a symlink, nor from a FIFO.
    (Mutants of `buffering` and of the chunk's size survive, equivalent: the same bytes are read,
    in other pieces.)"""
    with open(path, "rb", buffering=0, opener=regular_file_opener) as stream:
        hashes = {algorithm: hashlib.new(algorithm) for algorithm in algorithms}
        while chunk := stream.read(CHUNK):
            for digest in hashes.values():
                digest.update(chunk)
    return {algorithm: digest.hexdigest() for algorithm, digest in hashes.items()}
