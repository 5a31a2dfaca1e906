"""Organicity scores, each with its one-line reason."""

from __future__ import annotations

import pytest

from reviewers.base import RepoProfile
from reviewers.diffs import make_diff
from reviewers.organicity import organicity_scores, total

SOURCE = (
    "def strip_all(items):\n    out = [i.strip() for i in items]\n    return out\n\n\n"
    "def run(items):\n    return items\n"
)
OTHER = "X = 1\n"


def scores(
    after: str, profile: RepoProfile | None = None, lint: tuple[str, ...] = (), extra: str = ""
) -> dict[str, float]:
    diff = make_diff("pkg/core.py", SOURCE, after) + extra
    found = organicity_scores({"pkg/core.py": SOURCE, "pkg/other.py": OTHER}, diff, profile or RepoProfile(), lint)
    return {s.name: s.value for s in found}


FIX = SOURCE.replace("    return items\n", "    return strip_all(items)\n")


def test_new_lint_violations_lower_style() -> None:
    """Each new violation counts against style."""
    assert scores(FIX)["style"] == 1.0
    assert scores(FIX, lint=("F401",))["style"] == 0.5


@pytest.mark.parametrize(
    "formatters",
    [{"line_length": 79}, {"flake8": {"max-line-length": 79}}, {"line_length": 79, "black": {"line-length": 120}}],
)
def test_added_lines_over_the_projects_line_length_lower_style(formatters: dict[str, object]) -> None:
    """The limit is the one memory found in force (a flake8 max-line-length counts too), not a fixed 100."""
    long_fix = FIX.replace("    return strip_all(items)\n", "    return strip_all(items)  # " + "x" * 60 + "\n")
    assert scores(long_fix)["style"] == 1.0
    assert scores(long_fix, RepoProfile(conventions={"formatters": formatters}))["style"] < 1.0


@pytest.mark.parametrize(
    ("folders", "over"),
    [
        ({"pkg": {"line_length": 79}}, True),  # the file's own project is stricter than the root
        ({"lib": {"line_length": 79}}, False),  # another project's settings do not apply
        ({"pk": {"line_length": 79}}, False),  # a folder is a whole path part, not a prefix of one
        ({"pkg": {"line_length": 79}, "pkg/core": {"line_length": 120}}, True),  # `pkg/core.py` is in `pkg` only
    ],
)
def test_the_line_length_is_the_files_own_folders(folders: dict[str, object], over: bool) -> None:
    """In a monorepo, an added line is measured against the settings of the deepest folder holding the file that
    has its own config (`pkg/pyproject.toml`), else the root's."""
    long_fix = FIX.replace("    return strip_all(items)\n", "    return strip_all(items)  # " + "x" * 60 + "\n")
    conventions = {"formatters": {"line_length": 100, "folders": folders}}
    assert (scores(long_fix, RepoProfile(conventions=conventions))["style"] < 1.0) is over


def test_duplicating_a_helper_lowers_reuse() -> None:
    """An added function whose body equals an existing helper's body is named as a duplicate."""
    helpers = {"pkg/core.py::strip_all": "out = [i.strip() for i in items]\nreturn out"}
    dup = FIX + "\n\ndef clean(items):\n    out = [i.strip() for i in items]\n    return out\n"
    found = organicity_scores(
        {"pkg/core.py": SOURCE}, make_diff("pkg/core.py", SOURCE, dup), RepoProfile(helpers=helpers)
    )
    reuse = next(s for s in found if s.name == "reuse")
    assert reuse.value == 0.5
    assert reuse.why == "calls 1 internal helper(s) (strip_all); clean() duplicates pkg/core.py::strip_all"


@pytest.mark.parametrize(
    ("file_scores", "cochange", "value"),
    [
        ({"pkg/core.py": 0.9}, {}, 0.5),
        ({"pkg/core.py": 0.9, "pkg/other.py": 0.3}, {}, 1.0),
        ({"pkg/core.py": 0.9}, {"pkg/core.py": {"pkg/other.py": 0.4}}, 1.0),
    ],
)
def test_plausibility_follows_localization_and_cochange(
    file_scores: dict[str, float], cochange: dict[str, dict[str, float]], value: float
) -> None:
    """A touched file counts when memory localizes it, or when it usually changes with a localized file."""
    extra = make_diff("pkg/other.py", OTHER, "X = 2\n")
    assert scores(FIX, RepoProfile(file_scores=file_scores, cochange=cochange), extra=extra)["plausibility"] == value


def test_reformatting_untouched_code_lowers_size() -> None:
    """A hunk that only reformats code is counted and penalised, so the plain fix ranks above it."""
    reformatted = FIX.replace("out = [i.strip() for i in items]", "out = [ i.strip()  for i in items ]")
    long_source = SOURCE + "\n" * 10
    plain = organicity_scores({"m.py": long_source}, make_diff("m.py", long_source, FIX + "\n" * 10), RepoProfile())
    noisy_text = reformatted.replace("def run", "\n" * 8 + "def run")
    base = long_source.replace("def run", "\n" * 8 + "def run")
    noisy = organicity_scores({"m.py": base}, make_diff("m.py", base, noisy_text, context=1), RepoProfile())
    assert next(s for s in noisy if s.name == "size").why.endswith("1 hunk(s) or line(s) only reformat code")
    assert total(noisy) < total(plain)


def test_size_against_past_changes() -> None:
    """A change far larger than similar past changes scores lower."""
    assert scores(FIX, RepoProfile(past_sizes=[2, 2, 2]))["size"] == 1.0
    big = FIX + "".join(f"\n\ndef f{i}():\n    return {i}\n" for i in range(6))
    assert scores(big, RepoProfile(past_sizes=[2, 2, 2]))["size"] < 0.5


@pytest.mark.parametrize(
    ("after", "score", "value"),
    [
        (FIX, "style", 1.0),
        (FIX.replace("    return strip_all", "    _unused = None\n    return strip_all"), "style", 0.5),
        (FIX.replace("    return strip_all(items)", "    return strip_all(undefined)"), "style", 1 / 3),  # + unused arg
        (FIX.replace("    return items\n", "    return items\n"), "size", 1.0),
        (SOURCE.replace("    return items\n", "    # strip them?\n    return items\n"), "size", 0.5),
    ],
)
def test_dead_code_and_comment_only_changes_table(after: str, score: str, value: float) -> None:
    """New dead or dangling names cost style; a change that alters no executable code costs size."""
    assert scores(after)[score] == pytest.approx(value)


def test_unrelated_file_costs_size_and_the_fix_alone_ranks_first() -> None:
    """The fix plus an edit of a file nothing links to scores lower than the fix alone."""
    extra = make_diff("pkg/other.py", OTHER, OTHER + "\n\ndef _spare(value):\n    return value\n")
    noisy = scores(FIX, extra=extra)
    assert noisy["size"] == 0.5
    assert noisy["style"] == 0.5
    assert total(organicity_scores({"pkg/core.py": SOURCE}, make_diff("pkg/core.py", SOURCE, FIX), RepoProfile())) > (
        total(
            organicity_scores(
                {"pkg/core.py": SOURCE, "pkg/other.py": OTHER},
                make_diff("pkg/core.py", SOURCE, FIX) + extra,
                RepoProfile(),
            )
        )
    )


def test_a_smaller_diff_than_past_changes_earns_nothing() -> None:
    """Being far below the median of similar changes neither helps nor hurts size."""
    assert scores(FIX, RepoProfile(past_sizes=[40, 50, 60]))["size"] == scores(FIX)["size"] == 1.0


def test_a_file_linked_to_a_localized_file_is_plausible() -> None:
    """A file whose new helper the localized file's change calls counts as plausible."""
    other_after = OTHER + "\n\ndef trim(items):\n    return [i.strip() for i in items]\n"
    after = "from pkg.other import trim\n" + SOURCE.replace("    return items\n", "    return trim(items)\n")
    diff = make_diff("pkg/core.py", SOURCE, after) + make_diff("pkg/other.py", OTHER, other_after)
    found = organicity_scores(
        {"pkg/core.py": SOURCE, "pkg/other.py": OTHER}, diff, RepoProfile(file_scores={"pkg/core.py": 0.9})
    )
    assert next(s for s in found if s.name == "plausibility").value == 1.0
