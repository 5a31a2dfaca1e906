"""Tests for memory.signals: each per-candidate signal column on a small in-memory history."""

from __future__ import annotations

import numpy as np
import pytest

from memory.engine import Memory
from memory.fusion import COLUMNS, SIGNALS, VIEWS
from memory.model import FileChange, Unit
from memory.signals import compute_features
from memory.textproc import title_of

FILES = {
    "pkg/cookies.py": "def parse_cookie(header):\n    return header.split(';')\n",
    "pkg/client.py": "class Client:\n    def send(self, request):\n        return request\n"
    + "".join(f"\n\ndef helper_{i}(value):\n    return value + {i}\n" for i in range(30)),
    "pkg/util.py": "def noop():\n    pass\n",
}


def _unit(sha: str, message: str, paths: list[str]) -> Unit:
    return Unit(sha, "", "a", 0, message, (), [FileChange(p, p, "M") for p in paths])


def _column(memory: Memory, query: str, name: str) -> dict[str, float]:
    paths, features = compute_features(memory, query, None)
    return dict(zip(paths, features[:, SIGNALS.index(name)].tolist(), strict=True))


@pytest.fixture
def memory() -> Memory:
    memory = Memory(None)
    memory.set_files(dict(FILES))
    memory.add_units(
        [
            _unit("s1", "Handle quoted cookie values", ["pkg/util.py"]),
            _unit("s2", "Handle quoted cookie values", ["pkg/cookies.py"]),
            _unit("s3", "Retry send on timeout", ["pkg/client.py"]),
        ]
    )
    return memory


def test_recent_favours_the_file_touched_last(memory: Memory) -> None:
    """The file the last unit touched scores 1 on recency, older touches less."""
    column = _column(memory, "anything", "recent")
    assert column["pkg/client.py"] == 1.0
    assert column["pkg/client.py"] > column["pkg/cookies.py"] > column["pkg/util.py"] > 0


def test_decayed_message_votes_prefer_the_newer_of_equal_matches(memory: Memory) -> None:
    """Two past units with the same message vote equally, but the newer one's vote decays less."""
    plain, decayed = _column(memory, "quoted cookie", "message"), _column(memory, "quoted cookie", "message_recent")
    assert plain["pkg/cookies.py"] == plain["pkg/util.py"]
    assert decayed["pkg/cookies.py"] > decayed["pkg/util.py"]


def test_path_signal_matches_words_of_the_path(memory: Memory) -> None:
    """Only the file whose path names a query word scores on the path signal."""
    column = _column(memory, "cookies are dropped", "path")
    assert column["pkg/cookies.py"] == 1.0 and column["pkg/client.py"] == 0.0


def test_function_signal_finds_a_long_files_one_matching_function(memory: Memory) -> None:
    """A long file whose one function matches gets the best function score despite its length."""
    column = _column(memory, "send request", "function")
    assert column["pkg/client.py"] == 1.0 and column["pkg/util.py"] == 0.0


def test_size_orders_files_by_length(memory: Memory) -> None:
    """The size prior grows with the file's token count."""
    column = _column(memory, "anything", "size")
    assert column["pkg/client.py"] > column["pkg/cookies.py"] > column["pkg/util.py"]


def test_neighbour_votes_come_from_the_most_similar_units(memory: Memory) -> None:
    """Files touched by the past units most like the query get the neighbour vote, others none."""
    column = _column(memory, "retry on timeout", "neighbors")
    assert column["pkg/client.py"] == 1.0 and column["pkg/util.py"] == 0.0


def test_every_column_is_scaled_to_unit_range(memory: Memory) -> None:
    """Each signal column lies in [0, 1]."""
    _, features = compute_features(memory, "send cookie request timeout", None)
    assert np.all(features >= 0) and np.all(features <= 1.0 + 1e-6)


def test_title_view_is_the_first_line_alone(memory: Memory) -> None:
    """A multi-line text's second view equals the features of its first line; the first view differs."""
    text = "Retry send on timeout\n\n* parse the quoted cookie header\n* noop"
    paths, features = compute_features(memory, text, None)
    _, title_only = compute_features(memory, "Retry send on timeout", None)
    whole, title = np.hsplit(features, len(VIEWS))
    np.testing.assert_array_equal(title, title_only[:, : len(SIGNALS)])
    assert not np.array_equal(whole, title)
    assert features.shape == (len(paths), len(COLUMNS))


@pytest.mark.parametrize(
    ("text", "title"),
    [("Fix it\n\nbody", "Fix it"), ("\n\n  Fix it  \nmore", "Fix it"), ("", ""), ("one line", "one line")],
)
def test_title_of_is_the_first_non_blank_line(text: str, title: str) -> None:
    """The title is the first non-blank line, stripped."""
    assert title_of(text) == title
