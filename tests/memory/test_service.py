"""Tests for memory.service: outcomes of bot PRs, cached recall, show."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from memory.service import RepoMemory
from memory.vectors import FakeEmbedder
from tests.conftest import git


def test_rejected_bot_pr_is_recalled_for_similar_text(history_repo: Path, tmp_path: Path) -> None:
    """A rejected approach shows up, marked rejected, when a similar request comes back; merged ones do not."""
    memories = RepoMemory(tmp_path / "mem", FakeEmbedder())
    memories.update(history_repo)
    memories.record_outcome(
        history_repo, 41, "cookie attributes parsing", ["src/pkg/client.py"], merged=False, reason="wrong module"
    )
    memories.record_outcome(history_repo, 42, "cookie attributes parsing again", ["src/pkg/jar.py"], merged=True)
    answer = memories.recall(history_repo, "parsing cookie attributes fails")
    assert answer.rejected == [{"pr": 41, "files": ["src/pkg/client.py"], "reason": "wrong module", "rejected": True}]


def test_recall_builds_memory_on_first_use(history_repo: Path, tmp_path: Path) -> None:
    """Recall on a repo without memory builds it first, then answers with conventions and API hits."""
    answer = RepoMemory(tmp_path / "mem", None).recall(history_repo, "Client send timeout")
    assert answer.files[0]["path"] == "src/pkg/client.py"
    assert answer.conventions["tests"]["dirs"] == ["tests"]
    assert any(hit["qualname"] == "Client.send" for hit in answer.functions)


def test_show_summarises_memory(history_repo: Path, tmp_path: Path) -> None:
    """show reports the indexed head, sizes and fusion weights."""
    summary = RepoMemory(tmp_path / "mem", None).show(history_repo)
    assert summary["units"] == 6 and summary["files"] == 2
    assert set(summary["weights"]["signals"]) >= {"content", "message", "history"}


def test_update_refreshes_history_conventions_without_reading_the_tree(history_repo: Path, tmp_path: Path) -> None:
    """A small push recomputes the history part of the profile; a config change re-mines the whole profile."""
    from tests.memory.conftest import commit

    memories = RepoMemory(tmp_path / "mem", None)
    memories.update(history_repo)
    commit(history_repo, "feat: add a flag", {"src/pkg/client.py": "class Client:\n    pass\n"})
    memories.update(history_repo)
    profile = memories.show(history_repo)["conventions"]
    assert "feat" in profile["title"]["prefixes"]
    assert "ruff" not in profile["formatters"]
    commit(history_repo, "Configure ruff", {"pyproject.toml": "[tool.ruff]\nline-length = 99\n"})
    memories.update(history_repo)
    assert memories.show(history_repo)["conventions"]["formatters"]["ruff"] == {"line-length": 99}


def test_repo_without_functions_loads_and_recalls(make_git_repo: Any, tmp_path: Path) -> None:
    """A repo whose code defines no function is saved, loaded back as is (no rebuild) and answers recalls."""
    repo = make_git_repo({"pkg/settings.py": "TIMEOUT = 5\nRETRIES = 3\n", "README.md": "settings\n"})
    memories = RepoMemory(tmp_path / "mem", None)
    memories.update(repo)
    memory, _ = memories.store.load(repo)
    assert list(memory.snapshot.files) == ["pkg/settings.py"]
    answer = memories.recall(repo, "raise the timeout")
    assert [f["path"] for f in answer.files] == ["pkg/settings.py"] and answer.functions == []


def test_api_usage_counts_survive_a_reload(make_git_repo: Any, tmp_path: Path) -> None:
    """A worker that loads memory from disk reports the same reference counts as the one that built it."""
    repo = make_git_repo(
        {
            "pkg/util.py": "def slug(text):\n    return text.lower()\n",
            "pkg/app.py": "from pkg.util import slug\n\n\ndef page(title):\n    return slug(title) + slug('x')\n",
        }
    )
    built = RepoMemory(tmp_path / "mem", None).show(repo)["top_api"]
    loaded = RepoMemory(tmp_path / "mem", None).show(repo)["top_api"]
    assert loaded == built
    assert {e["qualname"]: e["uses"] for e in built} == {"slug": 2, "page": 0}


def test_reading_memory_with_an_old_profile_does_not_learn_new_commits(history_repo: Path, tmp_path: Path) -> None:
    """A profile of an older format is re-mined at memory's own head; memory stays where it was indexed."""
    memory = RepoMemory(tmp_path / "mem", None).update(history_repo, rev="HEAD~1")
    profile = RepoMemory(tmp_path / "mem", None).store.repo_dir(history_repo) / "conventions.json"
    profile.write_text(json.dumps({**json.loads(profile.read_text()), "version": 0}))
    shown = RepoMemory(tmp_path / "mem", None).show(history_repo)
    assert shown["head"] == memory.snapshot.sha and shown["conventions"]
    assert not list(profile.parent.glob("*.journal"))
    assert json.loads(profile.read_text())["sha"] == memory.snapshot.sha


def test_recall_leaves_out_diffs_the_checkout_no_longer_has(history_repo: Path, tmp_path: Path) -> None:
    """Memory built on a full clone still answers when the checkout is replaced by a shallow one."""
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", f"file://{history_repo}", "checkout")
    RepoMemory(tmp_path / "mem", None).update(checkout)
    shutil.rmtree(checkout)
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{history_repo}", "checkout")
    answer = RepoMemory(tmp_path / "mem", None).recall(checkout, "cookie attributes parsing")
    assert answer.files and answer.changes
    assert all(change["diff"] == "" for change in answer.changes)  # none of their commits was fetched


def test_only_skills_an_answer_shows_count_as_used(history_repo: Path, tmp_path: Path) -> None:
    """A skill the budget leaves out of the answer is not counted as used (so it may expire); a shown one is."""
    memories = RepoMemory(tmp_path / "mem", None)
    memories.update(history_repo)
    skill = {
        "kind": "internal_api",
        "text": "Send requests with Client.send and its timeout " + "in the client module " * 20,
        "citations": ["abc"],
        "paths": ["src/pkg/client.py"],
        "apis": ["src/pkg/client.py::Client.send"],
        "created_at": 1.0,
        "last_used_at": 2e9,
        "uses": 0,
    }
    stored = memories.store.repo_dir(history_repo) / "skills.json"
    stored.write_text(json.dumps([skill]))

    def uses() -> int:
        return int(json.loads(stored.read_text())[0]["uses"])

    tight = memories.recall(history_repo, "Client send timeout", budget_tokens=120)
    assert tight.files and not tight.skills and uses() == 0
    roomy = memories.recall(history_repo, "Client send timeout", budget_tokens=4000)
    assert roomy.skills and uses() == 1
