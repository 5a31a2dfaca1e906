"""A scripted OpenAI-compatible model served over real HTTP on loopback, for tests.

Answers are keyed on the step (`purpose`) and the candidate index, read from the marker line that every
prompt carries (`[organic-pr purpose=generate candidate=1 turn=0]`, see bot/prompts) or, failing that,
from the purpose header the client sends; never on the prompt's wording.

Usage (other test folders re-export the fixtures in their conftest.py):
    from tests.llm.scripted import scripted_llm, scripted_llm_server  # noqa: F401

    def test_x(scripted_llm):
        scripted_llm.on("generate", "first answer", Fail(429, retry_after_s=0), "second answer", candidate=0)
        ... OpenAIChatModel({Role.GENERATOR: Endpoint(scripted_llm.base_url, "scripted")}, ...)
        assert scripted_llm.requests[0].candidate == 0
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

__all__ = ["Fail", "NoUsage", "RecordedRequest", "ScriptedLLM", "Slow", "scripted_llm", "scripted_llm_server"]

MARKER = re.compile(r"^\[organic-pr ([^\]\n]*)\]$", re.MULTILINE)
PURPOSE_HEADER = "x-organic-pr-purpose"


@dataclass(frozen=True)
class Fail:
    """Answer with an HTTP error (429, 500, ...), optionally with a Retry-After header."""

    status: int
    retry_after_s: float | None = None


@dataclass(frozen=True)
class Slow:
    """Wait `delay_s` before answering `text` (to trip the client's timeout)."""

    delay_s: float
    text: str = ""


@dataclass(frozen=True)
class NoUsage:
    """Answer `text` without a `usage` object, as some servers do."""

    text: str


Reply = str | Fail | Slow | NoUsage


@dataclass(frozen=True)
class RecordedRequest:
    purpose: str
    candidate: int | None
    turn: int | None
    messages: list[dict[str, str]]
    body: dict[str, Any]


def read_marker(messages: list[dict[str, str]]) -> dict[str, str]:
    """The key=value pairs of the first marker line, searched in message order."""
    for message in messages:
        if found := MARKER.search(str(message.get("content", ""))):
            return dict(pair.split("=", 1) for pair in found.group(1).split() if "=" in pair)
    return {}


@dataclass
class ScriptedLLM:
    """The script (replies per (purpose, candidate)) and the recorded requests."""

    base_url: str = ""
    scripts: dict[tuple[str, int | None], deque[Reply]] = field(default_factory=dict)
    repeat_last: set[tuple[str, int | None]] = field(default_factory=set)
    requests: list[RecordedRequest] = field(default_factory=list)

    def on(self, purpose: str, *replies: Reply, candidate: int | None = None, repeat: bool = False) -> None:
        """Queue replies for a purpose (and candidate; None = any candidate). `repeat` keeps the last one."""
        self.scripts.setdefault((purpose, candidate), deque()).extend(replies)
        if repeat:
            self.repeat_last.add((purpose, candidate))

    def reset(self) -> None:
        self.scripts.clear()
        self.repeat_last.clear()
        self.requests.clear()

    def requests_for(self, purpose: str, candidate: int | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.purpose == purpose and (candidate is None or r.candidate == candidate)]

    def next_reply(self, purpose: str, candidate: int | None) -> Reply | None:
        for key in ((purpose, candidate), (purpose, None)):
            queue = self.scripts.get(key)
            if queue:
                return queue[0] if len(queue) == 1 and key in self.repeat_last else queue.popleft()
        return None


def _completion(body: dict[str, Any], text: str, *, usage: bool) -> dict[str, Any]:
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4 + 1
    answer: dict[str, Any] = {
        "id": f"chatcmpl-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "scripted"),
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
    }
    if usage:
        completion = len(text) // 4 + 1
        answer["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
    return answer


def build_app(state: ScriptedLLM) -> Starlette:
    async def completions(request: Request) -> JSONResponse:
        body = await request.json()
        messages = list(body.get("messages", []))
        meta = read_marker(messages)
        purpose = meta.get("purpose") or request.headers.get(PURPOSE_HEADER, "")
        candidate = int(meta["candidate"]) if meta.get("candidate", "").isdigit() else None
        turn = int(meta["turn"]) if meta.get("turn", "").isdigit() else None
        state.requests.append(RecordedRequest(purpose, candidate, turn, messages, body))
        reply = state.next_reply(purpose, candidate)
        if reply is None:
            error = {"message": f"no scripted reply for purpose={purpose!r} candidate={candidate}"}
            return JSONResponse({"error": error}, status_code=400)
        if isinstance(reply, Fail):
            headers = {} if reply.retry_after_s is None else {"retry-after": str(reply.retry_after_s)}
            return JSONResponse({"error": {"message": "scripted failure"}}, reply.status, headers=headers)
        if isinstance(reply, Slow):
            await asyncio.sleep(reply.delay_s)
            return JSONResponse(_completion(body, reply.text, usage=True))
        if isinstance(reply, NoUsage):
            return JSONResponse(_completion(body, reply.text, usage=False))
        return JSONResponse(_completion(body, reply, usage=True))

    return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


@pytest.fixture(scope="session")
def scripted_llm_server() -> Iterator[ScriptedLLM]:
    """The scripted endpoint for the whole session, served by uvicorn in a thread on a free loopback port."""
    state = ScriptedLLM()
    config = uvicorn.Config(build_app(state), host="127.0.0.1", port=0, log_level="error", lifespan="off", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError("the scripted model server did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    state.base_url = f"http://127.0.0.1:{port}/v1"
    try:
        yield state
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def scripted_llm(scripted_llm_server: ScriptedLLM) -> Iterator[ScriptedLLM]:
    """The session's scripted endpoint with an empty script and no recorded requests."""
    scripted_llm_server.reset()
    yield scripted_llm_server
    scripted_llm_server.reset()
