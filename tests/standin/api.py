"""The request pipeline every stand-in API route goes through.

record -> check the request against the API description -> authenticate -> inject faults -> handle ->
add rate-limit headers -> check the response against the API description.
Violations are appended to `state.violations`; the `standin` fixture fails the test if any remain.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tests.conformance.openapi import Spec
from tests.standin import render
from tests.standin.auth import (
    AuthFailure,
    check_app_jwt,
    installation_for_token,
    require_permission,
    token_from_headers,
)
from tests.standin.faults import PRIMARY_MESSAGE, SECONDARY_MESSAGE, Fault
from tests.standin.state import Installation, RecordedRequest, Repo, StandinState, Token

__all__ = ["Call", "HttpError", "Route", "handle", "json_response"]

RATE_LIMIT = 5000
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Call:
    """One authenticated API call as a handler sees it."""

    state: StandinState
    request: Request
    body: Any
    repo: Repo | None
    installation: Installation | None
    token: Token | None

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def number(self, name: str) -> int:
        try:
            return int(self.request.path_params[name])
        except ValueError as exc:
            raise HttpError(404, "Not Found") from exc

    def field(self, name: str, default: Any = None) -> Any:
        return self.body.get(name, default) if isinstance(self.body, dict) else default

    @property
    def the_repo(self) -> Repo:
        assert self.repo is not None, "route without a repository"
        return self.repo

    @property
    def actor(self) -> str:
        """Who acts: the App's bot user for installation tokens."""
        return f"{self.state.app_slug}[bot]"


Handler = Callable[[Call], Response | Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    auth: str = "installation"  # installation | app
    permission: str | None = None


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status, headers=headers, media_type="application/json; charset=utf-8")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response(render.error(message, status), status, headers)


def _rate_headers(state: StandinState, installation_id: int | None, *, exhausted: bool = False) -> dict[str, str]:
    with state.lock:
        used = sum(1 for r in state.requests if r.installation_id == installation_id)
    remaining = 0 if exhausted else max(RATE_LIMIT - used, 0)
    return {
        "x-ratelimit-limit": str(RATE_LIMIT),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-used": str(RATE_LIMIT - remaining),
        "x-ratelimit-reset": str(int(time.time()) + 3600),
        "x-ratelimit-resource": "core",
    }


def _fault_response(state: StandinState, fault: Fault, installation_id: int | None) -> Response:
    headers = _rate_headers(state, installation_id)
    if fault.kind == "secondary":
        headers["retry-after"] = str(fault.retry_after_s)
        return _error(fault.status, SECONDARY_MESSAGE, headers)
    if fault.kind == "primary":
        headers = _rate_headers(state, installation_id, exhausted=True)
        headers["x-ratelimit-reset"] = str(fault.reset_at)
        return _error(fault.status, PRIMARY_MESSAGE, headers)
    if fault.kind == "unauthorized":
        return _error(401, "Bad credentials", headers)
    return _error(fault.status, "Server Error", headers)


def _authenticate(state: StandinState, route: Route, request: Request) -> tuple[Token | None, Installation | None]:
    authorization = request.headers.get("authorization")
    if route.auth == "app":
        check_app_jwt(state, authorization)
        return None, None
    token = token_from_headers(state, authorization)
    full_name = _repo_name(request)
    inst = installation_for_token(state, token, full_name)
    require_permission(inst, route.permission, request.method in WRITE_METHODS)
    return token, inst


def _repo_name(request: Request) -> str | None:
    owner, repo = request.path_params.get("owner"), request.path_params.get("repo")
    return f"{owner}/{repo}" if owner and repo else None


async def handle(state: StandinState, route: Route, request: Request, spec: Spec | None) -> Response:
    """Run one API request through the whole pipeline."""
    record = RecordedRequest(request.method, request.url.path, None, time.monotonic())
    raw = await request.body()
    if spec is not None:
        ctype = request.headers.get("content-type")
        state.violations.extend(spec.check_request(request.method, request.url.path, ctype, raw))
    response = await _dispatch(state, route, request, raw, record)
    if spec is not None and not response.headers.get("content-type", "").startswith("application/vnd.github."):
        ctype = response.headers.get("content-type")
        state.violations.extend(
            spec.check_response(request.method, request.url.path, response.status_code, ctype, bytes(response.body))
        )
    record.finished = time.monotonic()
    record.status = response.status_code
    return response


async def _dispatch(
    state: StandinState, route: Route, request: Request, raw: bytes, record: RecordedRequest
) -> Response:
    try:
        token, inst = _authenticate(state, route, request)
    except AuthFailure as exc:
        with state.lock:
            state.requests.append(record)
        return _error(exc.status, str(exc), _rate_headers(state, None))
    record.installation_id = inst.id if inst else None
    with state.lock:
        state.requests.append(record)
    fresh = token is not None and token.value == (state.minted[-1].value if state.minted else None)
    fault = state.faults.take(request.method, request.url.path, fresh_token=fresh)
    if fault is not None:
        if fault.kind == "unauthorized" and token is not None:
            token.revoked = True
        return _fault_response(state, fault, record.installation_id)
    if request.method in WRITE_METHODS and state.write_latency_s:
        await asyncio.sleep(state.write_latency_s)
    return await _run_handler(state, route, request, raw, token, inst, record)


async def _run_handler(
    state: StandinState,
    route: Route,
    request: Request,
    raw: bytes,
    token: Token | None,
    inst: Installation | None,
    record: RecordedRequest,
) -> Response:
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        return _error(400, "Problems parsing JSON")
    full_name = _repo_name(request)
    repo = state.repos.get(full_name) if full_name else None
    if full_name and repo is None:
        return _error(404, "Not Found")
    call = Call(state, request, body, repo, inst, token)
    try:
        result = route.handler(call)
        response = await result if isinstance(result, Awaitable) else result
    except HttpError as exc:
        response = _error(exc.status, exc.message)
    response.headers.update(_rate_headers(state, record.installation_id))
    return response
