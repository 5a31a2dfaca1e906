"""Tests for the model-free side of memory.skills: parsing, dedupe/merge, retrieval, re-validation, expiry."""

from __future__ import annotations

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


def test_retrieve_ranks_by_similarity_and_counts_uses() -> None:
    """The most similar skill comes first and its use is recorded."""
    book = SkillBook(
        [Skill("convention", "Cookies are parsed in jar.py", ["a"]), Skill("convention", "Tests use pytest", ["b"])]
    )
    (first, *_) = book.retrieve("cookie parsing bug", k=1, now=100.0)
    assert first.text == "Cookies are parsed in jar.py"
    assert (first.uses, first.last_used_at) == (1, 100.0)


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
