"""The memory facade the bot and the CLI use: update, recall, show, and outcomes of the bot's PRs."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from memory.api_index import ApiEntry, api_index, entry_words, search_api
from memory.budget import trim_lines
from memory.builder import BuildConfig
from memory.engine import Memory
from memory.errors import GitFailed, IndexCorrupt, SkillError
from memory.feedback import Outcome, load_outcomes, rejected_like, save_outcomes
from memory.gitlog import list_tree, unit_diff
from memory.model import Unit
from memory.persist import write_atomic
from memory.profile_state import ProfileState, refresh_profile
from memory.recall import Recall, check_request, recall
from memory.replay import before_units, past_of
from memory.skills import ChatModel, Lesson, SkillBook, learn_skills, sample_units
from memory.store import MemoryStore
from memory.vectors import Embedder

__all__ = ["RepoMemory"]

DIFF_CACHE = 256  # past units' diffs kept per repository (a commit's diff never changes)
ATTEMPTED_FILE = "skills_attempted.json"  # units whose change the model has already attempted blind
SHOWN_WEIGHTS = 12  # fusion weights `show` prints, the largest first
LESSON_WINDOW = 500  # blind attempts are made on units among the most recent this many


def _write_json(path: Path, data: Any) -> None:
    write_atomic(path, json.dumps(data).encode())


def _read_strings(path: Path) -> list[str]:
    """A JSON list of strings, or nothing when the file is missing or not such a list."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return [x for x in data if isinstance(x, str)] if isinstance(data, list) else []


@dataclass
class _Loaded:
    memory: Memory
    conventions: dict[str, Any]
    refs: dict[str, dict[str, Any]] = field(default_factory=dict)
    api: list[ApiEntry] | None = None
    api_words: list[frozenset[str]] = field(default_factory=list)
    tree: tuple[str, set[str]] = ("", set())
    diffs: dict[str, str] = field(default_factory=dict)

    def api_entries(self) -> list[ApiEntry]:
        if self.api is None:
            self.api = api_index(self.memory.snapshot, self.refs)
            self.api_words = entry_words(self.api)
        return self.api

    def search_api(self, text: str, k: int) -> list[ApiEntry]:
        return search_api(self.api_entries(), text, k, self.api_words)

    def tree_paths(self, repo: Path) -> set[str]:
        """The files of the snapshot's commit (listed once per commit)."""
        sha = self.memory.snapshot.sha
        if sha and self.tree[0] != sha:
            self.tree = (sha, set(list_tree(repo, sha)))
        return self.tree[1] if sha else set()

    def diff(self, repo: Path, unit: Unit) -> str:
        """The unit's patch; empty when the checkout no longer has the commit (a shallow clone, say)."""
        if unit.sha not in self.diffs:
            if len(self.diffs) >= DIFF_CACHE:
                del self.diffs[next(iter(self.diffs))]
            try:
                self.diffs[unit.sha] = unit_diff(repo, unit)
            except GitFailed:
                return ""  # not cached: the commit may be fetched later
        return self.diffs[unit.sha]


class RepoMemory:
    """Memory for many repositories under one directory; loaded memories are cached in-process.

    Usage::

        memories = RepoMemory(Path("/var/memory"), SentenceEmbedder())
        memories.update(checkout)                       # on push to the default branch
        answer = memories.recall(checkout, issue_text, budget_tokens=3000)
    """

    def __init__(self, memory_dir: Path, embedder: Embedder | None, config: BuildConfig | None = None) -> None:
        self.store = MemoryStore(memory_dir, embedder, config)
        self._cache: dict[Path, _Loaded] = {}

    def update(self, repo: Path, rev: str = "HEAD") -> Memory:
        """Learn the commits after the last indexed one (or build), and bring the conventions profile along.

        The profile is kept as per-file stats: only the files the new units touched are re-read.
        """
        memory = self.store.update(repo, rev)
        with self.store.locked(repo) as folder:
            state = refresh_profile(repo, memory, ProfileState.from_json(self._stored_conventions(folder)))
            _write_json(folder / "conventions.json", state.to_json())
        self._cache[repo.resolve()] = _Loaded(memory, state.profile, state.refs)
        return memory

    def _stored_conventions(self, folder: Path) -> Any:
        try:
            return json.loads((folder / "conventions.json").read_text())
        except (OSError, ValueError):
            return None

    def _loaded(self, repo: Path) -> _Loaded:
        key = repo.resolve()
        if key not in self._cache:
            try:
                memory, _ = self.store.load(repo)
            except IndexCorrupt:
                self.update(repo)  # nothing usable is stored: build on first use
                return self._cache[key]
            self._cache[key] = self._with_profile(repo, memory)
        return self._cache[key]

    def _with_profile(self, repo: Path, memory: Memory) -> _Loaded:
        """Memory as stored, with its conventions profile. A stale or old-format profile is brought to memory's
        head, never the other way round: reading memory does not make it learn new commits."""
        with self.store.locked(repo) as folder:
            state = ProfileState.from_json(self._stored_conventions(folder))
            if state is None or state.sha != memory.snapshot.sha:
                state = refresh_profile(repo, memory, state)
                _write_json(folder / "conventions.json", state.to_json())
        return _Loaded(memory, state.profile, state.refs)

    def recall(
        self,
        repo: Path,
        text: str,
        *,
        k: int = 10,
        budget_tokens: int = 4000,
        seeds: tuple[str, ...] = (),
    ) -> Recall:
        """Ranked files and functions, similar past changes with trimmed diffs, conventions, within the budget.

        Raises BadRequest (before any work) for a blank text or a bad `k` or budget.
        """
        check_request(text, k, budget_tokens)
        loaded = self._loaded(repo)
        outcomes = load_outcomes(self.store.repo_dir(repo) / "outcomes.json")
        skills = [asdict(s) | {"id": s.id} for s in self.skills_for(repo, text)]
        with self.store.guard(repo):  # not while another thread's update is learning into this memory
            answer = recall(
                loaded.memory,
                text,
                k=k,
                budget_tokens=budget_tokens,
                seeds=seeds,
                diff_of=lambda unit: loaded.diff(repo, unit),
                conventions=loaded.conventions,
                skills=skills,
                api=loaded.search_api(text, k),
                rejected=rejected_like(outcomes, text),
            )
        if answer.skills:
            self._mark_used(repo, {s["id"] for s in answer.skills})
        return answer

    def _mark_used(self, repo: Path, ids: set[str]) -> None:
        """Count a use of the skills an answer showed (not those the budget left out)."""
        with self.store.locked(repo) as folder:
            book = self._skill_book(folder)
            book.mark_used(ids)
            _write_json(folder / "skills.json", book.to_json())

    def _skill_book(self, folder: Path) -> SkillBook:
        """The stored skills (rows that are not skills left out). A file that cannot be read as a list at all is
        kept aside as skills.json.unreadable, not overwritten by the next write. Call under the repo's lock."""
        path = folder / "skills.json"
        try:
            return SkillBook.from_json(json.loads(path.read_text()))
        except FileNotFoundError:
            return SkillBook()
        except (OSError, ValueError, SkillError):
            path.replace(folder / "skills.json.unreadable")
            return SkillBook()

    def skills_for(self, repo: Path, text: str, k: int = 3) -> list[Any]:
        """Skills similar to `text`, after retiring those whose files or APIs left the tree and expiring idle ones.

        Finding a skill is not a use: `recall` counts the ones its answer shows."""
        loaded = self._loaded(repo)
        with self.store.locked(repo) as folder:
            book = self._skill_book(folder)
            if not book.skills:
                return []
            files = loaded.memory.snapshot.files
            apis = {f"{p}::{s.qualname}" for p, e in files.items() for s in e.symbols}
            book.revalidate(loaded.tree_paths(repo), apis)
            book.expire()
            picked = book.retrieve(text, k)
            _write_json(folder / "skills.json", book.to_json())
        return picked

    async def learn_skills(
        self, repo: Path, model: ChatModel, budget_units: int = 5, context_tokens: int = 1500
    ) -> int:
        """Blind attempts on a sample of past units, compared with their real diffs, distilled into skills.

        Each attempt sees context recalled from memory as it was at its unit's parent (`memory.replay`). A unit
        once attempted is not attempted again, and each lesson's skills are saved as soon as it is done, so a
        budget stop or a crash part-way keeps what was learned. The model's errors propagate."""
        picked = sample_units(await asyncio.to_thread(self._untried, repo), budget_units)
        if not picked:
            return 0
        lessons = await asyncio.to_thread(self._lessons, repo, picked, context_tokens)
        learned = 0
        for lesson in lessons:
            book = SkillBook()
            learned += await learn_skills(model, [lesson], book)
            await asyncio.to_thread(self._keep_skills, repo, book, lesson.sha)
        return learned

    def _untried(self, repo: Path) -> list[str]:
        """The recent units the model may attempt: none attempted before."""
        memory = self._loaded(repo).memory
        with self.store.locked(repo) as folder:
            tried = set(_read_strings(folder / ATTEMPTED_FILE))
        with self.store.guard(repo):
            units = [u for u in memory.history.units[-LESSON_WINDOW:] if u.message and not u.is_revert and u.parent]
        return [u.sha for u in units if u.sha not in tried]

    def _lessons(self, repo: Path, shas: list[str], context_tokens: int) -> list[Lesson]:
        """For each unit, oldest first, what the model gets for a blind attempt (context recalled from memory at
        the unit's parent) and the real diff it is compared with. Runs in a thread: it replays history."""
        memory = self._loaded(repo).memory
        with self.store.guard(repo):
            past = past_of(memory)
        lessons = []
        for unit, before in before_units(repo, past, shas):
            context = recall(before, unit.message, k=5, budget_tokens=context_tokens)
            diff = trim_lines(unit_diff(repo, unit), 1500)
            lessons.append(Lesson(unit.sha, unit.message, json.dumps(context.to_json()), diff))
        return lessons

    def _keep_skills(self, repo: Path, book: SkillBook, sha: str) -> None:
        """Merge one lesson's skills into the stored book and mark its unit attempted, under the repo's lock."""
        with self.store.locked(repo) as folder:
            stored = self._skill_book(folder)
            for skill in book.skills:
                stored.add(skill)
            _write_json(folder / "skills.json", stored.to_json())
            tried = set(_read_strings(folder / ATTEMPTED_FILE)) | {sha}
            _write_json(folder / ATTEMPTED_FILE, sorted(tried))

    def record_outcome(self, repo: Path, pr: int, text: str, files: list[str], merged: bool, reason: str = "") -> None:
        """Remember a bot PR's fate; rejected approaches are surfaced in later recalls of similar text."""
        with self.store.locked(repo) as folder:
            outcomes = [o for o in load_outcomes(folder / "outcomes.json") if o.pr != pr]
            outcomes.append(Outcome(pr, text, files, merged, reason))
            save_outcomes(folder / "outcomes.json", outcomes)

    def show(self, repo: Path) -> dict[str, Any]:
        """A summary: indexed head, units, files, functions, the largest fusion weights, conventions, top APIs."""
        loaded = self._loaded(repo)
        with self.store.guard(repo):
            return self._summary(loaded)

    def _summary(self, loaded: _Loaded) -> dict[str, Any]:
        memory = loaded.memory
        return {
            "head": memory.snapshot.sha,
            "units": len(memory.history.units),
            "files": len(memory.snapshot.files),
            "functions": sum(len(e.symbols) for e in memory.snapshot.files.values()),
            "embedder": memory.embedder.name if memory.embedder else None,
            "weights": {
                "signals": _largest(memory.weights.signal, SHOWN_WEIGHTS),
                "cochange": round(memory.weights.cochange, 3),
                "completion": round(memory.weights.completion, 3),
            },
            "calibration_examples": len(memory.examples),
            "conventions": loaded.conventions,
            "top_api": [e.to_json() for e in loaded.api_entries()[:10]],
        }


def _largest(weights: dict[str, float], n: int) -> dict[str, float]:
    """The `n` weights largest in size, rounded for reading, largest first."""
    top = sorted(weights.items(), key=lambda item: -abs(item[1]))[:n]
    return {name: round(value, 3) for name, value in top}
