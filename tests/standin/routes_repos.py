"""Installation repositories, file contents of a repository's default branch, and issues as a list."""

from __future__ import annotations

import base64
import hashlib
import subprocess

from starlette.responses import Response

from tests.standin import render
from tests.standin.api import Call, HttpError, Route, json_response
from tests.standin.state import Issue, now, run_git

__all__ = ["ROUTES"]

ISSUE_STATES = {"open", "closed"}


def _page(call: Call) -> tuple[int, int]:
    try:
        per_page = min(int(call.request.query_params.get("per_page", "30")), 100)
        page = max(int(call.request.query_params.get("page", "1")), 1)
    except ValueError as exc:
        raise HttpError(422, "Invalid request: per_page and page are numbers") from exc
    return per_page, page


def list_installation_repos(call: Call) -> Response:
    assert call.installation is not None
    names = [n for n in call.installation.repositories if n in call.state.repos]
    per_page, page = _page(call)
    shown = names[(page - 1) * per_page : page * per_page]
    body = {
        "total_count": len(names),
        "repository_selection": "selected",
        "repositories": [render.repository(call.state, call.state.repos[n]) for n in shown],
    }
    return json_response(body)


def get_contents(call: Call) -> Response:
    repo, path = call.the_repo, call.param("path")
    ref = call.request.query_params.get("ref", repo.default_branch)
    try:
        data = run_git(repo.git_dir, "show", f"{ref}:{path}").encode()
        blob = run_git(repo.git_dir, "rev-parse", f"{ref}:{path}").strip()
        kind = run_git(repo.git_dir, "cat-file", "-t", blob).strip()
    except subprocess.CalledProcessError as exc:
        raise HttpError(404, "Not Found") from exc
    if kind != "blob":
        raise HttpError(404, "Not Found")  # directories are not served by the stand-in
    api = f"{call.state.base_url}/repos/{repo.full_name}/contents/{path}"
    html = f"{call.state.base_url}/{repo.full_name}/blob/{ref}/{path}"
    git = f"{call.state.base_url}/repos/{repo.full_name}/git/blobs/{blob}"
    body = {
        "type": "file",
        "encoding": "base64",
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": base64.b64encode(data).decode(),
        "sha": blob or hashlib.sha1(data).hexdigest(),  # noqa: S324 - git's object id, not security
        "url": api,
        "git_url": git,
        "html_url": html,
        "download_url": None,
        "_links": {"self": api, "git": git, "html": html},
    }
    return json_response(body)


def list_issues(call: Call) -> Response:
    repo = call.the_repo
    wanted = call.request.query_params.get("state", "open")
    items = [i for _, i in sorted(repo.issues.items()) if wanted == "all" or i.state == wanted]
    per_page, page = _page(call)
    shown = items[(page - 1) * per_page : page * per_page]
    return json_response([render.issue(call.state, repo, i) for i in shown])


def create_issue(call: Call) -> Response:
    repo = call.the_repo
    title = call.field("title")
    if not isinstance(title, str) or not title:
        raise HttpError(422, "Invalid request: title is required")
    number = max([0, *repo.issues]) + 1
    issue = Issue(number, call.state.next_id(), title, call.field("body"), call.actor)
    repo.issues[number] = issue
    data = render.issue(call.state, repo, issue)
    return json_response(data, 201, {"Location": data["url"]})


def update_issue(call: Call) -> Response:
    repo = call.the_repo
    issue = repo.issues.get(call.number("issue_number"))
    if issue is None:
        raise HttpError(404, "Not Found")
    for name in ("title", "body"):
        value = call.field(name)
        if isinstance(value, str):
            setattr(issue, name, value)
    state = call.field("state")
    if state in ISSUE_STATES and state != issue.state:
        issue.state, issue.closed_at = state, now() if state == "closed" else None
    issue.updated_at = now()
    return json_response(render.issue(call.state, repo, issue))


ROUTES = [
    Route("GET", "/installation/repositories", list_installation_repos, permission="metadata"),
    Route("GET", "/repos/{owner}/{repo}/contents/{path:path}", get_contents, permission="contents"),
    Route("GET", "/repos/{owner}/{repo}/issues", list_issues, permission="issues"),
    Route("POST", "/repos/{owner}/{repo}/issues", create_issue, permission="issues"),
    Route("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", update_issue, permission="issues"),
]
