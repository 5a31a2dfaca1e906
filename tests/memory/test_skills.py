"""Tests for the model-free side of memory.skills: parsing, dedupe/merge, retrieval, re-validation, expiry."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from memory.errors import SkillError
from memory.skills import Skill, SkillBook, parse_skills, sample_units


def test_parse_skills_reads_a_fenced_json_list_and_cites_the_unit() -> None:
    """Valid rows become skills citing the unit; rows of unknown kind are dropped."""
    reply = (
        'Here:\n```json\n[{"kind": "convention", "text": "Add a changelog fragment", "paths": ["CHANGES.md"]},'
        ' {"kind": "joke", "text": "x"}]\n```'
    )
    (skill,) = parse_skills(reply, "abc123")
    assert (skill.kind, skill.citations, skill.paths) == ("convention", ["abc123"], ["CHANGES.md"])


def test_parse_skills_rejects_prose() -> None:
    """A reply with no JSON list is a SkillError."""
    with pytest.raises(SkillError):
        parse_skills("no skills today", "abc")


def test_near_duplicates_merge_their_citations() -> None:
    """A skill restating a known one merges into it, uniting citations."""
    book = SkillBook()
    book.add(Skill("internal_api", "Use the helper format_filename to render paths in messages", ["a"]))
    book.add(Skill("internal_api", "Use helper format_filename to render paths in error messages", ["b"]))
    book.add(Skill("convention", "Use the helper format_filename to render paths in messages", ["c"]))
    assert len(book.skills) == 2
    assert book.skills[0].citations == ["a", "b"]


def test_retrieve_ranks_by_similarity_and_only_marked_uses_count() -> None:
    """The most similar skill comes first; a use is recorded when the caller marks it, not on retrieval."""
    book = SkillBook(
        [Skill("convention", "Cookies are parsed in jar.py", ["a"]), Skill("convention", "Tests use pytest", ["b"])]
    )
    (first, *_) = book.retrieve("cookie parsing bug", k=1)
    assert first.text == "Cookies are parsed in jar.py"
    assert first.uses == 0
    book.mark_used({first.id}, now=100.0)
    assert [(s.uses, s.last_used_at) for s in book.skills] == [(1, 100.0), (0, book.skills[1].last_used_at)]


def test_revalidate_retires_skills_citing_missing_files_or_apis() -> None:
    """A skill whose file or API vanished from the tree is retired."""
    keep = Skill("internal_api", "Use Client.send", ["a"], ["pkg/client.py"], ["pkg/client.py::Client.send"])
    gone = Skill("internal_api", "Use old_helper", ["b"], ["pkg/old.py"], ["pkg/old.py::old_helper"])
    book = SkillBook([keep, gone])
    retired = book.revalidate({"pkg/client.py"}, {"pkg/client.py::Client.send"})
    assert retired == [gone] and book.skills == [keep]


def test_expire_drops_long_unused_skills() -> None:
    """Skills unused for longer than the idle limit expire."""
    book = SkillBook(
        [Skill("convention", "old", ["a"], last_used_at=0.0), Skill("convention", "new", ["b"], last_used_at=99.0)]
    )
    assert [s.text for s in book.expire(now=100.0, max_idle_s=10)] == ["old"]
    assert [s.text for s in book.skills] == ["new"]


def test_round_trip_and_sampling_are_stable() -> None:
    """Skills survive JSON; the unit sample is deterministic and bounded."""
    book = SkillBook([Skill("architecture", "Keep I/O in adapters", ["a"], uses=2)])
    assert SkillBook.from_json(book.to_json()).skills == book.skills
    shas = [f"{i:040x}" for i in range(50)]
    assert sample_units(shas, 5) == sample_units(list(reversed(shas)), 5)
    assert len(sample_units(shas, 5)) == 5


@pytest.mark.parametrize(
    "row",
    [
        {"kind": "convention", "text": "Bad paths", "paths": None},
        {"kind": "convention", "text": "Bad apis", "paths": ["a.py"], "apis": 5},
        {"kind": "convention", "text": "Not text", "paths": ["a.py"], "apis": [7]},
        {"kind": "convention", "text": "x" * 501, "paths": ["a.py"]},
        {"kind": "convention", "text": "Anchored to nothing"},
        {"kind": "convention", "text": "Too many anchors", "paths": [f"f{i}.py" for i in range(11)]},
        {"kind": "convention", "text": ["not", "a", "string"], "paths": ["a.py"]},
    ],
)
def test_malformed_rows_are_skipped_not_raised(row: dict[str, object]) -> None:
    """Model output is untrusted: a row of the wrong shape, an oversized or unanchored lesson is left out, and
    the well-formed rows beside it are kept."""
    good = {"kind": "convention", "text": "Use the jar", "paths": ["src/jar.py"]}
    assert [s.text for s in parse_skills(json.dumps([row, good]), "abc")] == ["Use the jar"]


def test_one_path_given_as_a_string_is_one_path() -> None:
    (skill,) = parse_skills('[{"kind": "convention", "text": "t", "paths": "src/pkg/jar.py"}]', "abc")
    assert skill.paths == ["src/pkg/jar.py"]


def test_a_reply_nested_past_the_parser_is_a_skill_error() -> None:
    """A reply of a thousand "[" overflows json's recursion: a SkillError (the lesson is skipped), not a crash."""
    with pytest.raises(SkillError):
        parse_skills("[" * 1000 + "]", "abc")


def test_at_most_three_skills_per_reply() -> None:
    rows = [{"kind": "convention", "text": f"Lesson number {i}", "paths": [f"f{i}.py"]} for i in range(200)]
    assert len(parse_skills(json.dumps(rows), "abc")) == 3


def test_a_malformed_stored_row_leaves_the_others() -> None:
    """A row with a field this version does not know, or garbage, costs that row at most, never the book."""
    rows = [asdict(Skill("convention", f"Stored lesson {i}", ["a"], ["a.py"])) for i in range(3)]
    rows[0] |= {"future_field": 1}
    rows[1] = {"kind": "convention", "text": 5}
    assert [s.text for s in SkillBook.from_json(rows).skills] == ["Stored lesson 0", "Stored lesson 2"]
    with pytest.raises(SkillError):
        SkillBook.from_json({"not": "a list"})


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Do not call session.commit() in request handlers", "Call session.commit() in request handlers"),
        ("Prefer httpx over requests for HTTP calls", "Prefer requests over httpx for HTTP calls"),
    ],
)
def test_opposite_rules_do_not_merge(a: str, b: str) -> None:
    """Same words, opposite meaning (a negation, or the order of a preference): two skills, not one."""
    book = SkillBook()
    book.add(Skill("convention", a, ["x"], ["a.py"]))
    book.add(Skill("convention", b, ["y"], ["a.py"]))
    assert [s.text for s in book.skills] == [a, b]


@pytest.mark.parametrize(
    ("api", "alive"),
    [
        ("pkg.client.Client.send", True),  # dotted module path
        ("send()", True),  # bare call
        ("tests/helpers.py::make_client", True),  # a file that exists but is not indexed
        ("pkg/client.py::Client.gone", False),  # indexed file, name defined nowhere
        ("pkg/old.py::send", False),  # its file is gone
        ("vanished_helper", False),
    ],
)
def test_revalidate_reads_the_ways_a_model_names_an_api(api: str, alive: bool) -> None:
    skill = Skill("internal_api", "Use it", ["a"], [], [api])
    book = SkillBook([skill])
    book.revalidate({"pkg/client.py", "tests/helpers.py"}, {"pkg/client.py::Client.send"})
    assert (book.skills == [skill]) == alive
