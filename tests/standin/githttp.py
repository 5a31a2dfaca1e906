"""Git smart HTTP for the stand-in's bare repos through `git http-backend` (CGI), behind the token check.

A clone URL looks like `{base_url}/{owner}/{repo}.git`. The installation token arrives as
`Authorization: Basic base64(x-access-token:<token>)` or `Authorization: Bearer <token>`
(git's `http.extraHeader`); pushes need `contents: write`.
"""

from __future__ import annotations

import os
import subprocess

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from tests.standin.auth import AuthFailure, installation_for_token, require_permission, token_from_headers
from tests.standin.state import StandinState

__all__ = ["git_endpoint"]


def _is_push(request: Request, rest: str) -> bool:
    return rest == "git-receive-pack" or request.query_params.get("service") == "git-receive-pack"


def _cgi_env(state: StandinState, request: Request, full_name: str, rest: str, length: int) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_PROJECT_ROOT": str(state.git_root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_SYSTEM": "/dev/null",
        "PATH_INFO": f"/{full_name}.git/{rest}",
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": request.url.query,
        "CONTENT_TYPE": request.headers.get("content-type", ""),
        "CONTENT_LENGTH": str(length),
        "REMOTE_USER": "x-access-token",
        "REMOTE_ADDR": "127.0.0.1",
    }
    if "content-encoding" in request.headers:
        env["HTTP_CONTENT_ENCODING"] = request.headers["content-encoding"]
    if "git-protocol" in request.headers:
        env["GIT_PROTOCOL"] = request.headers["git-protocol"]
    return env


def _parse_cgi(output: bytes) -> Response:
    head, _, body = output.partition(b"\r\n\r\n")
    if not _:
        head, _, body = output.partition(b"\n\n")
    status = 200
    headers: dict[str, str] = {}
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        elif name:
            headers[name.strip()] = value.strip()
    return Response(body, status, headers=headers)


def _denied(message: str, status: int) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="GitHub"'} if status == 401 else None
    return Response(message + "\n", status, headers=headers, media_type="text/plain")


async def git_endpoint(state: StandinState, request: Request) -> Response:
    owner, name, rest = request.path_params["owner"], request.path_params["name"], request.path_params["rest"]
    full_name = f"{owner}/{name}"
    if full_name not in state.repos:
        return _denied("Repository not found.", 404)
    try:
        token = token_from_headers(state, request.headers.get("authorization"))
        inst = installation_for_token(state, token, full_name)
        require_permission(inst, "contents", _is_push(request, rest))
    except AuthFailure as exc:
        return _denied(str(exc), 401 if exc.status == 401 else 403)
    body = await request.body()
    env = _cgi_env(state, request, full_name, rest, len(body))

    def run() -> bytes:
        done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
        return done.stdout

    return _parse_cgi(await anyio.to_thread.run_sync(run))
