"""Skills learned through the real OpenAI-compatible client against the scripted model over loopback HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.llm import Endpoint, Ledger, LLMError, OpenAIChatModel, Role
from memory.service import RepoMemory
from tests.llm.scripted import Fail, ScriptedLLM

DISTILLED = json.dumps(
    [
        {
            "kind": "internal_api",
            "text": "Parse cookies in jar.py with parse_cookie",
            "paths": ["src/pkg/jar.py"],
            "apis": ["src/pkg/jar.py::parse_cookie"],
        }
    ]
)


def _model(llm: ScriptedLLM) -> OpenAIChatModel:
    return OpenAIChatModel({Role.GENERATOR: Endpoint(llm.base_url, "scripted")}, ledger=Ledger(None))


async def _learn(llm: ScriptedLLM, memories: RepoMemory, repo: Path, *rounds: int) -> int:
    """Learn skills for `rounds` budgets in turn through the real client; the skills learned in all."""
    model = _model(llm)
    try:
        return sum([await memories.learn_skills(repo, model, budget_units=units) for units in rounds])
    finally:
        await model.aclose()


async def test_blind_attempt_then_distill_stores_a_cited_skill(
    scripted_llm: ScriptedLLM,
    history_repo: Path,
    tmp_path: Path,
) -> None:
    """Each sampled unit gets an attempt without its diff, then a distill step that sees the real diff."""
    scripted_llm.on("skill.attempt", "--- a/x\n+++ b/x\n", repeat=True)
    scripted_llm.on("skill.distill", DISTILLED, repeat=True)
    memories = RepoMemory(tmp_path / "mem", None)
    learned = await _learn(scripted_llm, memories, history_repo, 2)
    attempts = scripted_llm.requests_for("skill.attempt")
    distills = scripted_llm.requests_for("skill.distill")
    assert learned == 2 and len(attempts) == len(distills) == 2
    assert all("Real change" not in m["content"] for r in attempts for m in r.messages)
    assert any("diff --git" in m["content"] for m in distills[0].messages)
    (skill,) = json.loads((memories.store.repo_dir(history_repo) / "skills.json").read_text())
    assert len(skill["citations"]) == 2  # the same lesson from two units merged into one skill


async def test_recall_serves_skills_and_retires_those_whose_api_vanished(
    scripted_llm: ScriptedLLM,
    history_repo: Path,
    tmp_path: Path,
) -> None:
    """A learned skill is recalled for similar text; once its API is gone from the tree it is retired."""
    scripted_llm.on("skill.attempt", "nothing", repeat=True)
    scripted_llm.on("skill.distill", DISTILLED, repeat=True)
    memories = RepoMemory(tmp_path / "mem", None)
    await _learn(scripted_llm, memories, history_repo, 1)
    assert [s["text"] for s in memories.recall(history_repo, "cookie parsing").skills] == [
        "Parse cookies in jar.py with parse_cookie"
    ]
    from tests.conftest import git
    from tests.memory.conftest import commit

    commit(history_repo, "Rename parse_cookie", {"src/pkg/jar.py": "def parse(header):\n    return header\n"})
    memories.update(history_repo)
    assert memories.recall(history_repo, "cookie parsing").skills == []
    assert git(history_repo, "log", "-1", "--format=%s").strip() == "Rename parse_cookie"


async def test_unparsable_distill_reply_is_skipped(
    scripted_llm: ScriptedLLM,
    history_repo: Path,
    tmp_path: Path,
) -> None:
    """A prose distill reply yields no skill and no crash."""
    scripted_llm.on("skill.attempt", "attempt", repeat=True)
    scripted_llm.on("skill.distill", "I have no idea", repeat=True)
    memories = RepoMemory(tmp_path / "mem", None)
    assert await _learn(scripted_llm, memories, history_repo, 1) == 0


async def test_a_unit_once_attempted_is_not_attempted_again(
    scripted_llm: ScriptedLLM,
    history_repo: Path,
    tmp_path: Path,
) -> None:
    """A second round of learning samples only units the model has not attempted yet."""
    scripted_llm.on("skill.attempt", "attempt", repeat=True)
    scripted_llm.on("skill.distill", DISTILLED, repeat=True)
    memories = RepoMemory(tmp_path / "mem", None)
    await _learn(scripted_llm, memories, history_repo, 1, 1)
    first, second = (r.messages[1]["content"] for r in scripted_llm.requests_for("skill.attempt"))
    assert first != second
    tried = json.loads((memories.store.repo_dir(history_repo) / "skills_attempted.json").read_text())
    assert len(tried) == 2


async def test_skills_of_finished_lessons_survive_a_model_failure(
    scripted_llm: ScriptedLLM,
    history_repo: Path,
    tmp_path: Path,
) -> None:
    """When the model fails on the second lesson, the first lesson's skill is already stored and marked tried."""
    scripted_llm.on("skill.attempt", "attempt", Fail(400))
    scripted_llm.on("skill.distill", DISTILLED)
    memories = RepoMemory(tmp_path / "mem", None)
    with pytest.raises(LLMError):
        await _learn(scripted_llm, memories, history_repo, 2)
    folder = memories.store.repo_dir(history_repo)
    assert len(json.loads((folder / "skills.json").read_text())) == 1
    assert len(json.loads((folder / "skills_attempted.json").read_text())) == 1
