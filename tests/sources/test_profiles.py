"""A course reader's profile: what `load_profile` takes from the file, every mistake it refuses
and the line it says, and what `apply_profile` makes of the mini-edition: the texts chosen, in
the profile's order, and a register and further reading of those texts only. Without layout:
tests/test_course_reader.py builds a reader."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from edition.errors import EditionError
from edition.sources import profiles
from edition.sources.profiles import DEFAULT, CourseReader, Profile, apply_profile, load_profile, narrowed
from tests.mini import EDITION


def profile_file(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "reader.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def refusal(tmp_path: Path, text: str | bytes) -> str:
    path = profile_file(tmp_path, text)
    with pytest.raises(EditionError) as raised:
        load_profile(path, tmp_path)
    return str(raised.value).removeprefix(f"{path}: ")


def test_a_profile_gives_every_setting_as_written(tmp_path: Path):
    text = """# a course
essays = ["brook-2002", "ames-2001"]
course_title = "Reading the Mini-Edition"
course_code = "TEST 101"
paper = "Letter"
pad_to_multiple_of_4 = true
"""
    profile = load_profile(profile_file(tmp_path, text), tmp_path)
    assert profile == Profile(("brook-2002", "ames-2001"), "Reading the Mini-Edition", "TEST 101", "letter", True)
    assert profile.page_size == "letter" and profile.course == "TEST 101 · Reading the Mini-Edition"


def test_an_empty_profile_is_the_whole_edition_on_a4(tmp_path: Path):
    profile = load_profile(profile_file(tmp_path, ""), tmp_path)
    assert profile == DEFAULT == Profile((), "", "", "a4", False)
    assert profile.page_size == "A4" and profile.course == ""
    assert Profile(course_title="History").course == "History" and Profile(course_code="H1").course == "H1"


def test_two_profiles_have_one_digest_exactly_when_every_setting_is_the_same():
    digests = {
        Profile().digest,
        Profile(("ames-2001",)).digest,
        Profile(course_title="x").digest,
        Profile(course_code="x").digest,
        Profile(paper="letter").digest,
        Profile(pad_to_four=True).digest,
        Profile(course_title="é").digest,
    }
    assert len(digests) == 7 and Profile(("a", "b"), "t").digest == Profile(("a", "b"), "t").digest
    assert all(len(digest) == 64 for digest in digests)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            b"course_title = '\xff'",
            "not a valid TOML file: 'utf-8' codec can't decode byte 0xff in position 16: invalid start byte",
        ),
        ("course_title = ", "not a valid TOML file: Invalid value (at end of document)"),
        ("essays = " + "[" * 9 + "]" * 9, "not a reader profile: its tables or lists are nested too deeply"),
        (
            "title = 'x'\nsize = 3",
            "unknown setting(s) size, title; known: course_code, course_title, essays, pad_to_multiple_of_4, paper",
        ),
        ("paper = 'A5'", "paper must be one of a4, letter, not 'a5'"),
        ("essays = 'ames-2001'", 'essays must be a list of essay ids, such as ["weissman-1988"]'),
        ("essays = ['ames-2001', 3]", 'essays must be a list of essay ids, such as ["weissman-1988"]'),
        ("essays = ['b', 'a', 'b', 'a', 'c']", "essays lists 'a', 'b' more than once"),
        ("course_title = 3", "course_title must be text"),
        ("course_code = ['x']", "course_code must be text"),
        ("course_title = '" + "x" * 201 + "'", "course_title has 201 characters; it may have at most 200"),
        ("course_code = '" + "x" * 1041 + "'", "course_code has 1,041 characters; it may have at most 40"),
        (
            'course_code = "A\\u2028B"',
            "course_code holds a control character (U+2028) at character 2: it must be plain text on one line",
        ),
        (
            'course_title = "tab\\there"',
            "course_title holds a control character (U+0009) at character 4: it must be plain text on one line",
        ),
        ("pad_to_multiple_of_4 = 1", "pad_to_multiple_of_4 must be true or false"),
    ],
)
def test_every_mistake_in_a_profile_is_one_line_naming_it(tmp_path: Path, text: str | bytes, message: str):
    assert refusal(tmp_path, text) == message


def test_each_field_may_be_as_long_as_its_limit(tmp_path: Path):
    text = f"course_title = '{'t' * 200}'\ncourse_code = '{'c' * 40}'\nessays = []\n"
    profile = load_profile(profile_file(tmp_path, text), tmp_path)
    assert (profile.course_title, profile.course_code, profile.essays) == ("t" * 200, "c" * 40, ())


def test_nesting_is_counted_outside_strings_and_comments():
    assert profiles._nesting("a = [[1], {b = [2]}]") == 3
    assert profiles._nesting("a = '[[[' # [[[[\nb = \"{{\"\nc = [1]") == 1
    assert profiles._nesting("a = 1]]]\nb = [[2]]") == 2  # a closing bracket too many counts for nothing
    assert profiles._nesting("a = \"it's [\"\nb = 'say \"[['") == 0
    assert profiles._nesting("") == 0


def test_only_brackets_and_braces_nest_and_only_quotes_open_strings():
    assert profiles._nesting("X[X[") == 2
    assert profiles._nesting("{x = [1, {y = 2}]}") == 3


def test_a_profile_over_its_limit_is_refused_as_a_reader_profile(tmp_path: Path):
    assert refusal(tmp_path, "# " + "x" * profiles.PROFILE_LIMIT) == (
        "reader.toml: refused: it has 65,538 bytes; a reader profile may have at most 65,536 (the README says why)"
    )


def test_a_profile_nested_eight_deep_is_read_and_nine_is_refused_before_parsing(tmp_path: Path):
    eight = "essays = " + "[" * 8 + "]" * 8
    assert profiles._nesting(eight) == 8
    with pytest.raises(EditionError, match=r"essays must be a list"):  # read, and found wrong: not too deep
        load_profile(profile_file(tmp_path, eight), tmp_path)


def test_a_toml_parser_that_recurses_too_deeply_is_a_one_line_refusal(tmp_path: Path, monkeypatch):
    def recurses(text):
        raise RecursionError

    monkeypatch.setattr(profiles.tomllib, "loads", recurses)
    assert refusal(tmp_path, "a = 1") == "not a reader profile: its tables or lists are nested too deeply"


def ids(edition) -> list[str]:
    return [essay.id for essay in edition.essays]


def test_the_default_profile_is_the_edition_itself():
    assert apply_profile(EDITION, DEFAULT) is EDITION


def test_a_profile_file_that_names_no_essay_is_a_reader_of_every_essay(tmp_path: Path):
    reader = apply_profile(EDITION, Profile(course_title="All"), tmp_path / "all.toml")
    assert isinstance(reader, CourseReader) and ids(reader) == ids(EDITION) == ["ames-2001", "brook-2002"]
    assert reader.profile == Profile(course_title="All")
    assert reader.book_title == f"Course Reader: {EDITION.full_title} — All"
    assert apply_profile(EDITION, DEFAULT, tmp_path / "empty.toml").book_title == f"Course Reader: {EDITION.full_title}"


def test_a_reader_prints_its_essays_in_the_profiles_order_and_refuses_one_the_edition_lacks():
    profile = Profile(("brook-2002", "ames-2001"), course_code="H1")
    reader = apply_profile(EDITION, profile)
    assert ids(reader) == ["brook-2002", "ames-2001"] and reader.readings == [] and reader.profile == profile
    with pytest.raises(EditionError) as raised:
        apply_profile(EDITION, Profile(("brook-2002", "nobody-1999", "x")), Path("r.toml"))
    assert str(raised.value) == "r.toml: no essay 'nobody-1999', 'x'; the edition has ames-2001, brook-2002"
    with pytest.raises(EditionError, match=r"^profile: no essay 'x'"):
        apply_profile(EDITION, Profile(("x",)))


def register(edition) -> dict[str, list[tuple[str, list[str]]]]:
    return {s.title: [(e.id, [m.essay_id for m in e.mentions]) for e in s.entries] for s in edition.register}


def test_an_edition_with_readings_prints_its_own_essays_and_a_reader_no_reading_it_did_not_choose():
    """A reading (`edition import --reading`) is printed only by a course reader that names it."""
    with_reading = dataclasses.replace(EDITION, essays=EDITION.essays[:1], readings=EDITION.essays[1:])
    whole = apply_profile(with_reading, DEFAULT)
    assert ids(whole) == ["ames-2001"] and whole.readings == [] and not isinstance(whole, CourseReader)
    reader = apply_profile(with_reading, Profile(("brook-2002",)))
    assert ids(reader) == ["brook-2002"] and reader.readings == []


def test_a_reader_of_one_essay_keeps_only_its_places_entries_and_the_works_its_notes_cite():
    brook = narrowed(EDITION, ["brook-2002"])
    assert ids(brook) == ["brook-2002"]
    assert register(brook) == {"Persons": [("serge", ["brook-2002"])], "Terms": [("kulak", ["brook-2002"])]}
    assert [work.id for work in brook.works] == ["wc-serge-memoirs"]  # cited by brook's commentary
    ames = narrowed(EDITION, ["ames-2001"])
    assert register(ames) == {
        "Persons": [("serge", ["ames-2001"] * 3)],
        "Organisations and events": [("left-opposition", ["ames-2001"]), ("moscow-trials", ["ames-2001"])],
        "Terms": [("besplannovost", ["ames-2001"])],
        "Works": [("serge-destiny", ["ames-2001"] * 2)],
    }
    assert ames.works == []
    assert register(narrowed(EDITION, ["ames-2001", "brook-2002"])) == register(EDITION)
