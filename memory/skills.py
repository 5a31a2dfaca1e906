"""Skills: short reusable lessons distilled from the gap between a model's blind attempt and the real change.

The model layer is optional: without a model, memory works and simply has no skills. The data side (dedupe,
merge, retrieval, re-validation against the tree, expiry) is pure and needs no model.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, TypedDict

from memory.errors import SkillError
from memory.textproc import tokenize

__all__ = ["ChatModel", "Skill", "SkillBook", "parse_skills", "sample_units"]

KINDS = ("convention", "internal_api", "architecture")
MERGE_SIMILARITY = 0.6
MAX_IDLE_S = 180 * 86400


class Message(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


class ChatReply(Protocol):
    """The part of the bot's ChatReply memory reads (read-only, as the bot's frozen dataclass is)."""

    @property
    def text(self) -> str: ...


class ChatModel(Protocol):
    """Structurally identical to the bot's ChatModel (memory/ must not import bot/)."""

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        purpose: str,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> ChatReply: ...


@dataclass
class Skill:
    """A lesson with the commits it came from and the files/APIs it relies on (for re-validation)."""

    kind: str
    text: str
    citations: list[str]
    paths: list[str] = field(default_factory=list)
    apis: list[str] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)
    last_used_at: float = field(default_factory=time.time)
    uses: int = 0

    @property
    def id(self) -> str:
        return hashlib.sha256(f"{self.kind}:{self.text}".encode()).hexdigest()[:12]


def _similarity(a: str, b: str) -> float:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    return len(ta & tb) / len(ta | tb) if ta | tb else 0.0


def parse_skills(reply: str, citation: str) -> list[Skill]:
    """Skills from a distill reply: a JSON list of {kind, text, paths, apis}, possibly inside a code fence."""
    match = re.search(r"\[.*\]", reply, re.S)
    try:
        rows = json.loads(match.group(0) if match else reply)
    except ValueError as exc:
        raise SkillError(f"distill reply is not a JSON list: {reply[:200]!r}") from exc
    if not isinstance(rows, list):
        raise SkillError("distill reply is not a JSON list")
    skills = []
    for row in rows:
        if isinstance(row, dict) and row.get("kind") in KINDS and str(row.get("text", "")).strip():
            paths = [str(p) for p in row.get("paths", [])]
            skills.append(
                Skill(row["kind"], str(row["text"]).strip(), [citation], paths, [str(a) for a in row.get("apis", [])])
            )
    return skills


class SkillBook:
    """Stored skills: added with dedupe/merge, retrieved by similarity, retired when stale.

    Usage::

        book = SkillBook.from_json(rows)
        book.add(skill)
        book.revalidate(existing_paths, existing_apis)
        book.retrieve("text of an issue", k=3)
    """

    def __init__(self, skills: list[Skill] | None = None) -> None:
        self.skills = skills or []

    def add(self, skill: Skill) -> Skill:
        """Add a skill, or merge it into a near-duplicate of the same kind (citations and anchors united)."""
        for known in self.skills:
            if known.kind == skill.kind and _similarity(known.text, skill.text) >= MERGE_SIMILARITY:
                known.citations = list(dict.fromkeys(known.citations + skill.citations))
                known.paths = list(dict.fromkeys(known.paths + skill.paths))
                known.apis = list(dict.fromkeys(known.apis + skill.apis))
                if len(skill.text) < len(known.text):
                    known.text = skill.text  # keep the more concise phrasing
                return known
        self.skills.append(skill)
        return skill

    def retrieve(self, text: str, k: int = 3, now: float | None = None) -> list[Skill]:
        """The `k` skills most similar to `text`; retrieving counts as a use."""
        scored = sorted(
            ((_similarity(s.text + " " + " ".join(s.paths), text), s) for s in self.skills), key=lambda item: -item[0]
        )
        picked = [s for score, s in scored[:k] if score > 0]
        for skill in picked:
            skill.uses += 1
            skill.last_used_at = now or time.time()
        return picked

    def revalidate(self, paths: set[str], apis: set[str]) -> list[Skill]:
        """Retire skills citing a file or API that no longer exists; return the retired ones."""
        retired = [s for s in self.skills if not set(s.paths) <= paths or not set(s.apis) <= apis]
        self.skills = [s for s in self.skills if s not in retired]
        return retired

    def expire(self, now: float | None = None, max_idle_s: float = MAX_IDLE_S) -> list[Skill]:
        """Drop skills unused for longer than `max_idle_s`; return them."""
        cutoff = (now or time.time()) - max_idle_s
        expired = [s for s in self.skills if s.last_used_at < cutoff]
        self.skills = [s for s in self.skills if s.last_used_at >= cutoff]
        return expired

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(s) for s in self.skills]

    @classmethod
    def from_json(cls, rows: list[dict[str, Any]]) -> SkillBook:
        return cls([Skill(**row) for row in rows])


def sample_units(shas: Sequence[str], budget: int, salt: str = "skills") -> list[str]:
    """A deterministic, spread-out sample of `budget` units (hash order, so reruns pick the same ones)."""
    return sorted(shas, key=lambda s: hashlib.sha256(f"{salt}:{s}".encode()).hexdigest())[:budget]


ATTEMPT_PROMPT = (
    "You are changing a repository. Given the change request and context recalled from the project's memory, "
    "write the unified diff you would make. Reply with the diff only."
)
DISTILL_PROMPT = (
    "Compare your attempt with the maintainers' real change. Distill what you missed into at most 3 short, "
    "reusable skills for future changes in this repository: a convention, an internal API to use, or an "
    'architectural rule. Reply with a JSON list of {"kind": "convention"|"internal_api"|"architecture", '
    '"text": "...", "paths": [files it relies on], "apis": [qualified names it relies on]}.'
)


@dataclass
class Lesson:
    """One sampled unit, prepared for a blind attempt: its request, recalled context and the real diff."""

    sha: str
    request: str
    context: str
    real_diff: str


async def learn_skills(model: ChatModel, lessons: Sequence[Lesson], book: SkillBook, max_tokens: int = 800) -> int:
    """Blind attempt, compare with the real diff, distill, and merge into `book`; return skills added or merged.

    A reply that cannot be parsed skips that lesson (the others still count); the model's errors propagate.
    """
    learned = 0
    for lesson in lessons:
        attempt_messages: list[Message] = [
            {"role": "system", "content": f"[organic-pr purpose=skill.attempt]\n{ATTEMPT_PROMPT}"},
            {"role": "user", "content": f"Change request:\n{lesson.request}\n\nContext:\n{lesson.context}"},
        ]
        attempt = await model.chat(attempt_messages, purpose="skill.attempt", max_tokens=max_tokens)
        distill_messages: list[Message] = [
            {"role": "system", "content": f"[organic-pr purpose=skill.distill]\n{ATTEMPT_PROMPT}"},
            attempt_messages[1],
            {"role": "assistant", "content": attempt.text},
            {"role": "user", "content": f"{DISTILL_PROMPT}\n\nReal change:\n{lesson.real_diff}"},
        ]
        reply = await model.chat(distill_messages, purpose="skill.distill", max_tokens=max_tokens)
        try:
            skills = parse_skills(reply.text, lesson.sha)
        except SkillError:
            continue
        for skill in skills:
            book.add(skill)
            learned += 1
    return learned
