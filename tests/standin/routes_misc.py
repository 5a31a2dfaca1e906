"""The App and its installation tokens, repositories, git refs and check runs."""

from __future__ import annotations

from starlette.responses import Response

from tests.standin import render
from tests.standin.api import Call, HttpError, Route, json_response
from tests.standin.gitdata import update_ref
from tests.standin.state import CheckRun, now

__all__ = ["ROUTES"]


def get_app(call: Call) -> Response:
    return json_response(render.app(call.state))


def create_installation_token(call: Call) -> Response:
    inst = call.state.installations.get(call.number("installation_id"))
    if inst is None:
        raise HttpError(404, "Not Found")
    if inst.suspended:
        raise HttpError(403, "This installation has been suspended")
    token = call.state.mint_token(inst.id)
    body = {
        "token": token.value,
        "expires_at": render.iso(token.expires_at),
        "permissions": inst.permissions,
        "repository_selection": "selected",
    }
    return json_response(body, 201)


def get_repo(call: Call) -> Response:
    data = render.repository(call.state, call.the_repo)
    data |= {"network_count": 0, "subscribers_count": 0, "has_discussions": False}
    return json_response(data)


def _ref_body(call: Call, ref: str, sha: str) -> dict[str, object]:
    repo = call.the_repo
    return {
        "ref": ref,
        "node_id": f"REF_{abs(hash((repo.full_name, ref))) % 10**9}",
        "url": f"{call.state.base_url}/repos/{repo.full_name}/git/{ref}",
        "object": {
            "type": "commit",
            "sha": sha,
            "url": f"{call.state.base_url}/repos/{repo.full_name}/git/commits/{sha}",
        },
    }


def get_ref(call: Call) -> Response:
    ref = "refs/" + call.param("ref")
    sha = call.state.ref_sha(call.the_repo.full_name, ref)
    if sha is None:
        raise HttpError(404, "Not Found")
    return json_response(_ref_body(call, ref, sha))


def create_ref(call: Call) -> Response:
    ref, sha = call.field("ref"), call.field("sha")
    if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2 or not isinstance(sha, str):
        raise HttpError(422, "Invalid request")
    if not update_ref(call.the_repo, ref, sha, create=True):
        raise HttpError(422, "Reference already exists")
    return json_response(_ref_body(call, ref, sha), 201)


def update_git_ref(call: Call) -> Response:
    ref, sha = "refs/" + call.param("ref"), call.field("sha")
    if not isinstance(sha, str) or call.state.ref_sha(call.the_repo.full_name, ref) is None:
        raise HttpError(422, "Reference does not exist")
    if not update_ref(call.the_repo, ref, sha, create=False):
        raise HttpError(422, "Object does not exist")
    return json_response(_ref_body(call, ref, sha))


def _apply_check_fields(run: CheckRun, call: Call) -> None:
    for name in ("name", "status", "conclusion", "external_id", "details_url"):
        if name in (call.body or {}):
            setattr(run, name, call.field(name))
    if run.conclusion is not None:
        run.status = "completed"
    if run.status == "completed" and run.completed_at is None:
        run.completed_at = now()
    output = call.field("output")
    if isinstance(output, dict):
        run.title = output.get("title", run.title)
        run.summary = output.get("summary", run.summary)
        run.text = output.get("text", run.text)
        run.annotations.extend(output.get("annotations", []))


def create_check_run(call: Call) -> Response:
    name, head_sha = call.field("name"), call.field("head_sha")
    if not isinstance(name, str) or not isinstance(head_sha, str):
        raise HttpError(422, "Validation Failed")
    run = CheckRun(call.state.next_id(), name, head_sha)
    _apply_check_fields(run, call)
    call.the_repo.check_runs[run.id] = run
    return json_response(render.check_run(call.state, call.the_repo, run), 201)


def update_check_run(call: Call) -> Response:
    run = call.the_repo.check_runs.get(call.number("check_run_id"))
    if run is None:
        raise HttpError(404, "Not Found")
    _apply_check_fields(run, call)
    return json_response(render.check_run(call.state, call.the_repo, run))


def get_check_run(call: Call) -> Response:
    run = call.the_repo.check_runs.get(call.number("check_run_id"))
    if run is None:
        raise HttpError(404, "Not Found")
    return json_response(render.check_run(call.state, call.the_repo, run))


def list_check_runs_for_ref(call: Call) -> Response:
    repo = call.the_repo
    ref = call.param("ref")
    sha = call.state.ref_sha(repo.full_name, f"refs/heads/{ref}") or ref
    name = call.request.query_params.get("check_name")
    runs = [r for r in repo.check_runs.values() if r.head_sha == sha and (name is None or r.name == name)]
    return json_response(
        {"total_count": len(runs), "check_runs": [render.check_run(call.state, repo, r) for r in runs]}
    )


ROUTES = [
    Route("GET", "/app", get_app, auth="app"),
    Route("POST", "/app/installations/{installation_id}/access_tokens", create_installation_token, auth="app"),
    Route("GET", "/repos/{owner}/{repo}", get_repo, permission="metadata"),
    Route("GET", "/repos/{owner}/{repo}/git/ref/{ref:path}", get_ref, permission="contents"),
    Route("POST", "/repos/{owner}/{repo}/git/refs", create_ref, permission="contents"),
    Route("PATCH", "/repos/{owner}/{repo}/git/refs/{ref:path}", update_git_ref, permission="contents"),
    Route("POST", "/repos/{owner}/{repo}/check-runs", create_check_run, permission="checks"),
    Route("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", update_check_run, permission="checks"),
    Route("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}", get_check_run, permission="checks"),
    Route("GET", "/repos/{owner}/{repo}/commits/{ref:path}/check-runs", list_check_runs_for_ref, permission="checks"),
]
