"""`edition check`: each code, triggered alone by the mistake it names (one case per code)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from edition.errors import EditionError, SourceError
from edition.project import Project
from edition.sources import read
from edition.sources.check import WORD_LIMIT, check_files, run_checks
from tests import command
from tests.edits import edit
from tests.names import EDITION as NAMED
from tests.names import VERSION


def essay(project: Project) -> Path:
    return project.source_dir / "weissman-1988.xml"


FIRST_PARAGRAPH = '<p><hi rend="lead-in">SERGE’S CONTRIBUTION TO</hi>'
# A commentary note's pointer to a work of the further reading.
CITATION = '<ptr target="#wc-serge-memoirs"/>'


def unlog(edition_file: Path) -> None:
    """The change log's line for the edition's version, as if it were for another version."""
    text = edition_file.read_text()
    unlogged = re.sub(rf'(<change [^>]*n="){re.escape(VERSION)}"', r'\g<1>0.0.0"', text, count=1)
    assert unlogged != text
    edition_file.write_text(unlogged)


# code → how to make exactly that mistake in a copy of the sources
CASES: dict[str, Callable[[Project], None]] = {
    "E001": lambda p: edit(p.edition_file, 'target="weissman-1988.xml"/>', 'target="weissman-1999.xml"/>'),
    "E002": lambda p: edit(essay(p), "<head>Notes</head>", "<head>Notes</hed>"),
    "E003": lambda p: edit(
        essay(p), "<TEI xmlns", '<!DOCTYPE TEI [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<TEI xmlns'
    ),
    "E004": lambda p: edit(p.edition_file, 'target="weissman-1988.xml"/>', 'target="../weissman-1988.xml"/>'),
    "E010": lambda p: edit(essay(p), FIRST_PARAGRAPH, "<para/>" + FIRST_PARAGRAPH),
    "E020": lambda p: edit(
        essay(p),
        'target="#weissman-n1">1</ref>',
        'target="#weissman-n1">1</ref><ref type="noteref" target="#weissman-n99">99</ref>',
    ),
    "E021": lambda p: edit(
        essay(p),
        "</note>\n      </div>",
        '</note>\n<note xml:id="weissman-uncalled" n="999" place="end">Uncalled.</note></div>',
    ),
    "E030": lambda p: edit(essay(p), 'ref="#serge"', 'ref="#sergei"'),
    "E031": lambda p: edit(
        p.source_dir / "register.xml",
        "<head>Persons</head>",
        '<head>Persons</head><person xml:id="nobody"><persName>Nobody</persName>'
        '<note type="identification">No one.</note></person>',
    ),
    "E022": lambda p: edit(
        p.source_dir / "commentary.xml",
        "</listAnnotation>",
        '<note xml:id="c-stray" type="commentary" target="#nowhere">A note.</note></listAnnotation>',
    ),
    "E023": lambda p: edit(
        essay(p), "SERGE’S CONTRIBUTION TO</hi>", 'SERGE’S CONTRIBUTION TO</hi><anchor xml:id="stray"/>'
    ),
    "E040": lambda p: edit(essay(p), FIRST_PARAGRAPH, FIRST_PARAGRAPH.replace("<p>", '<p xml:id="trotsky">')),
    "E050": lambda p: edit(essay(p), "SERGE’S CONTRIBUTION TO</hi>", 'SERGE’S CONTRIBUTION TO</hi> "our"'),
    "E051": lambda p: edit(essay(p), "SERGE’S CONTRIBUTION TO</hi>", "SERGE’S CONTRIBUTION TO</hi> -- "),
    "E052": lambda p: edit(essay(p), "SERGE’S CONTRIBUTION TO</hi>", "SERGE’S CONTRIBUTION TO</hi> kolkhoz"),
    "E053": lambda p: edit(essay(p), "SERGE’S CONTRIBUTION TO</hi>", "SERGE’S CONTRIBUTION TO</hi><emph/>"),
    "E054": lambda p: edit(
        essay(p), "SERGE’S CONTRIBUTION TO</hi>", 'SERGE’S CONTRIBUTION TO</hi><ref target="javascript:x()">a</ref>'
    ),
    "E055": lambda p: edit(essay(p), 'xml:id="weissman-1988"', 'xml:id="colophon"'),
    "E056": lambda p: edit(
        essay(p), "SERGE’S CONTRIBUTION TO</hi>", "SERGE’S CONTRIBUTION TO</hi>" + "<emph>" * 41 + "a" + "</emph>" * 41
    ),
    "E060": lambda p: unlog(p.edition_file),
    "E070": lambda p: edit(p.source_dir / "commentary.xml", CITATION, CITATION + '<ptr target="#wc-nowhere"/>'),
    "E071": lambda p: edit(
        p.source_dir / "further-reading.xml",
        '<listBibl type="further-reading">',
        '<listBibl type="further-reading"><bibl xml:id="wc-uncited"><author>Ann Other</author>, '
        '<title level="m">A Book No Note Cites</title>.</bibl>',
    ),
    "E080": lambda p: edit(p.edition_file, '<idno type="slug">serge-stalinism</idno>', ""),
    "E081": lambda p: edit(essay(p), "SERGE’S CONTRIBUTION TO</hi>", "SERGE’S CONTRIBUTION TO</hi> " + "x" * 201),
    "E082": lambda p: edit(essay(p), FIRST_PARAGRAPH, FIRST_PARAGRAPH.replace("<p>", '<p xml:id="register-intro">')),
    "E083": lambda p: edit(p.edition_file, 'when="2026-12-07"', 'when="1975-12-07"'),
}


def test_the_edition_as_published_is_clean(project: Project):
    assert run_checks(project) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_mistake_is_reported_with_exactly_its_code(scratch_project: Project, code: str):
    CASES[code](scratch_project)
    problems = run_checks(scratch_project)
    assert problems, code
    assert {problem.code for problem in problems} == {code}, [str(p) for p in problems]
    for problem in problems:
        assert problem.path.startswith("source/")
        assert problem.line > 0 or code in ("E001", "E004")


def test_every_code_is_documented_in_the_readme(project: Project):
    readme = (project.root / "README.md").read_text()
    for code in CASES:
        assert f"| {code} |" in readme, code


def test_check_reports_every_problem_at_once_and_exits_1(scratch_project: Project):
    CASES["E050"](scratch_project)
    CASES["E053"](scratch_project)
    CASES["E031"](scratch_project)
    result = command.run("check", cwd=scratch_project.root)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    codes = sorted(line.split()[1] for line in lines[:-1])
    assert codes == ["E031", "E050", "E053"]
    assert lines[-1] == "edition: 3 problems in the sources"
    assert "Traceback" not in result.stderr


def test_build_stops_on_a_problem_check_finds(scratch_project: Project):
    CASES["E051"](scratch_project)
    result = command.run("build", cwd=scratch_project.root)
    assert result.returncode == 1 and " E051 " in result.stderr
    assert not (scratch_project.root / "dist").exists()


def counting_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files `read.parse_xml` parses from now on, one per parse."""
    parsed: list[str] = []
    real = read.parse_xml

    def parse_xml(path: Path, project: Project):
        parsed.append(path.name)
        return real(path, project)

    monkeypatch.setattr(read, "parse_xml", parse_xml)
    return parsed


# What the check parses: the schema and every file edition.xml lists, as they stand (a text added
# is listed too).
LISTED = sorted(path.name for path in NAMED.sources)


def test_check_parses_each_listed_source_and_the_schema_once_and_nothing_else(scratch_project, monkeypatch):
    (scratch_project.source_dir / "draft.xml").write_text('<TEI "not listed, nor well-formed -- ')
    parsed = counting_parses(monkeypatch)
    assert run_checks(scratch_project) == []
    assert sorted(parsed) == LISTED


def test_build_checks_the_sources_from_one_parse(scratch_project, monkeypatch):
    from edition import build

    monkeypatch.setattr(build, "_build", lambda *args: None)  # the sources' part of a build only
    parsed = counting_parses(monkeypatch)
    build.build(scratch_project, out_dir=scratch_project.root / "out")
    assert sorted(parsed) == LISTED


def test_a_build_reports_every_problem_check_reports(scratch_project: Project):
    """Problems that stop the sources being read and the editor's checks, together, as `check`."""
    from edition.build import build

    CASES["E010"](scratch_project)
    CASES["E051"](scratch_project)
    expected = run_checks(scratch_project)
    assert {problem.code for problem in expected} == {"E010", "E051"}
    with pytest.raises(SourceError) as raised:
        build(scratch_project, out_dir=scratch_project.root / "out")
    assert raised.value.diagnostics == expected


def test_two_commentary_notes_on_one_passage_are_an_error(scratch_project: Project):
    commentary = scratch_project.source_dir / "commentary.xml"
    text = commentary.read_text()
    target = re.search(r'target="(#[^"]+)"', text).group(1)
    edit(
        commentary,
        "</listAnnotation>",
        f'<note xml:id="c-twin" type="commentary" target="{target}">Again.</note></listAnnotation>',
    )
    problems = [str(problem) for problem in run_checks(scratch_project)]
    assert any(" E022 commentary c-twin targets " + target in problem for problem in problems), problems


def test_in_an_editors_note_a_link_to_an_id_cites_a_work_so_one_to_anything_else_is_e070(scratch_project: Project):
    """A `ref` to `#id` in a commentary note or an identification is a citation: to a register
    entry, which exists (E054 passes it), it cites no work of the further reading."""
    edit(
        scratch_project.source_dir / "register.xml",
        '<ref target="#wc-rizzi-1939">Rizzi, 1939</ref>',
        '<ref target="#shachtman">Rizzi, 1939</ref>',
    )
    problems = run_checks(scratch_project)
    assert {(problem.code, problem.path, problem.message) for problem in problems} == {
        ("E070", "source/register.xml", "a citation points at no work of the further reading: #shachtman"),
        ("E071", "source/further-reading.xml", "work wc-rizzi-1939 of the further reading is cited by no note"),
    }


def test_an_edition_that_lists_no_further_reading_cites_no_work(scratch_project: Project):
    edit(scratch_project.edition_file, '<ptr type="further-reading" target="further-reading.xml"/>', "")
    problems = run_checks(scratch_project)
    assert problems and {problem.code for problem in problems} == {"E070"}


@pytest.mark.parametrize(("rend", "codes"), [("code", []), ("indent", ["E050", "E051"])])
def test_a_block_of_code_keeps_its_straight_quotes_and_double_hyphens(
    scratch_project: Project, rend: str, codes: list[str]
):
    program = f"""<p rend="{rend}">print -- 1\n<hi rend="italic">'x'</hi></p>"""  # each on a line of its own
    edit(essay(scratch_project), FIRST_PARAGRAPH, program + FIRST_PARAGRAPH)
    assert sorted(problem.code for problem in run_checks(scratch_project)) == codes


def _long_words(project: Project, markup: str) -> list[str]:
    edit(essay(project), "SERGE’S CONTRIBUTION TO</hi>", "SERGE’S CONTRIBUTION TO</hi> " + markup + " ")
    return [str(problem) for problem in run_checks(project) if problem.code == "E081"]


@pytest.mark.parametrize(
    ("markup", "length"),
    [
        ("x" * WORD_LIMIT, None),  # the longest word allowed
        ("x" * (WORD_LIMIT + 1), WORD_LIMIT + 1),
        ("x" * 30 + "<hi rend='italic'>" + "y" * 30 + "</hi>", 60),  # on through inline markup
        ("x" * 30 + "\u00a0" + "y" * 30, 61),  # a no-break space joins
        ("x" * 30 + " ." * 15, 60),  # so does a space before a stop
        ("x" * 30 + "-" + "1" * 30, 61),  # and a hyphen before a figure
        ("x" * 30 + "-" + "y" * 30, None),  # a hyphen before a letter is a place to break
        ("x" * 30 + "/" + "y" * 30, None),  # so is a slash
        ("x" * 30 + "\u200b" + "y" * 30, None),  # and a zero-width space
        ("x" * 30 + "<lb/>" + "y" * 30, None),  # and a line break
        ("x" * 30 + "<choice><sic>" + "y" * 30 + "</sic><corr>z</corr></choice>", None),  # what is printed
    ],
)
def test_a_word_is_what_a_line_cannot_break(scratch_project: Project, markup: str, length: int | None):
    found = _long_words(scratch_project, markup)
    if length is None:
        assert found == []
    else:
        assert len(found) == 1 and f"E081 a word of {length} characters" in found[0], found


def test_an_impossible_date_is_refused_by_the_schema_and_named_by_the_check(scratch_project: Project):
    register = scratch_project.source_dir / "register.xml"
    edit(register, '<birth when="1890"/>', '<birth when="1890-02-30"/>')
    problems = run_checks(scratch_project)
    assert {problem.code for problem in problems} == {"E010", "E083"}
    assert any("E083 '1890-02-30' is not a date" in str(problem) for problem in problems)


def test_a_face_or_stylesheet_changed_since_the_last_check_in_the_process_is_checked_anew(mini_project: Project):
    """`edition watch` checks the files of styles/ at every save, in one process, which reads
    each face and parses each stylesheet once for as long as its bytes stay the same: a file
    changed in between is read again."""
    face = mini_project.styles_dir / "fonts" / "SourceSerifPro-It.ttf"
    stylesheet = mini_project.styles_dir / "ereader.css"
    good_face, good_stylesheet = face.read_bytes(), stylesheet.read_bytes()
    assert check_files(mini_project).characters
    face.write_bytes(good_face[: len(good_face) // 2])
    with pytest.raises(EditionError, match=r"SourceSerifPro-It\.ttf: the font cannot be read"):
        check_files(mini_project)
    face.write_bytes(good_face)
    stylesheet.write_bytes(good_stylesheet + b"\nbody { background: url(t.png) }\n")
    with pytest.raises(EditionError, match=r"url\(t.png\) is not allowed"):
        check_files(mini_project)
    stylesheet.write_bytes(good_stylesheet)
    assert check_files(mini_project).characters
