"""Pull requests, requested reviewers, reviews, review comments and replies, files and diffs."""

from __future__ import annotations

from starlette.responses import Response

from tests.standin import render
from tests.standin.api import Call, HttpError, Route, json_response
from tests.standin.gitdata import diff_stats, diff_text
from tests.standin.state import Issue, Pull, ReviewComment, now

__all__ = ["ROUTES"]


def _pull(call: Call) -> Pull:
    pull = call.the_repo.pulls.get(call.number("pull_number"))
    if pull is None:
        raise HttpError(404, "Not Found")
    return pull


def create_pull(call: Call) -> Response:
    repo, state = call.the_repo, call.state
    head, base, title = call.field("head"), call.field("base"), call.field("title")
    if not isinstance(head, str) or not isinstance(base, str) or not isinstance(title, str):
        raise HttpError(422, "Validation Failed")
    head = head.split(":", 1)[-1]
    if state.branch_sha(repo.full_name, head) is None or state.branch_sha(repo.full_name, base) is None:
        raise HttpError(422, "Validation Failed")
    if any(p.head == head and p.base == base and p.state == "open" for p in repo.pulls.values()):
        raise HttpError(422, f"A pull request already exists for {repo.owner}:{head}.")
    number = max([0, *repo.issues]) + 1
    body = call.field("body")
    repo.issues[number] = Issue(number, state.next_id(), title, body, call.actor)
    pull = Pull(number, state.next_id(), title, body, call.actor, head, base, draft=bool(call.field("draft", False)))
    repo.pulls[number] = pull
    data = render.pull(state, repo, pull)
    return json_response(data, 201, {"Location": data["url"]})


def list_pulls(call: Call) -> Response:
    repo, query = call.the_repo, call.request.query_params
    wanted_state = query.get("state", "open")
    head = query.get("head", "").split(":", 1)[-1]
    pulls = [
        p
        for p in repo.pulls.values()
        if (wanted_state == "all" or p.state == wanted_state) and (not head or p.head == head)
    ]
    return json_response([render.pull(call.state, repo, p, full=False) for p in pulls])


def get_pull(call: Call) -> Response:
    repo, pull = call.the_repo, _pull(call)
    accept = call.request.headers.get("accept", "")
    if "application/vnd.github.diff" in accept or "application/vnd.github.v3.diff" in accept:
        text = diff_text(repo, pull.base, pull.head)
        return Response(text, 200, media_type="application/vnd.github.diff; charset=utf-8")
    return json_response(render.pull(call.state, repo, pull))


def update_pull(call: Call) -> Response:
    repo, pull = call.the_repo, _pull(call)
    issue = repo.issues[pull.number]
    if isinstance(call.field("title"), str):
        pull.title = issue.title = call.field("title")
    if "body" in (call.body or {}):
        pull.body = issue.body = call.field("body")
    if call.field("state") in {"open", "closed"}:
        pull.state = issue.state = call.field("state")
        pull.closed_at = issue.closed_at = now() if pull.state == "closed" else None
    pull.updated_at = now()
    return json_response(render.pull(call.state, repo, pull))


def request_reviewers(call: Call) -> Response:
    repo, pull = call.the_repo, _pull(call)
    for login in call.field("reviewers", []) or []:
        if login == pull.user:
            raise HttpError(422, "Review cannot be requested from pull request author.")
        call.state.user(login)
        if login not in pull.requested_reviewers:
            pull.requested_reviewers.append(login)
    return json_response(render.pull(call.state, repo, pull, full=False), 201)


def list_reviews(call: Call) -> Response:
    repo, pull = call.the_repo, _pull(call)
    reviews = [r for r in repo.reviews.values() if r.pull_number == pull.number]
    return json_response([render.review(call.state, repo, r) for r in reviews])


def list_review_comments(call: Call) -> Response:
    repo, pull = call.the_repo, _pull(call)
    comments = [c for c in repo.review_comments.values() if c.pull_number == pull.number]
    return json_response([render.review_comment(call.state, repo, c) for c in comments])


def reply_review_comment(call: Call) -> Response:
    repo, pull = call.the_repo, _pull(call)
    parent = repo.review_comments.get(call.number("comment_id"))
    body = call.field("body")
    if parent is None or parent.pull_number != pull.number:
        raise HttpError(404, "Not Found")
    if not isinstance(body, str):
        raise HttpError(422, "Validation Failed")
    root = parent.in_reply_to_id or parent.id
    reply = ReviewComment(
        call.state.next_id(), pull.number, body, call.actor, parent.path, parent.line, parent.commit_id, None, root
    )
    repo.review_comments[reply.id] = reply
    return json_response(render.review_comment(call.state, repo, reply), 201)


def list_files(call: Call) -> Response:
    repo, pull = call.the_repo, _pull(call)
    head_sha = call.state.branch_sha(repo.full_name, pull.head) or "0" * 40
    files = []
    for change in diff_stats(repo, pull.base, pull.head).files:
        url = f"{call.state.base_url}/{repo.full_name}/blob/{head_sha}/{change.filename}"
        files.append(
            {
                "sha": head_sha,
                "filename": change.filename,
                "status": change.status,
                "additions": change.additions,
                "deletions": change.deletions,
                "changes": change.additions + change.deletions,
                "blob_url": url,
                "raw_url": url.replace("/blob/", "/raw/"),
                "contents_url": f"{call.state.base_url}/repos/{repo.full_name}/contents/{change.filename}",
                "patch": change.patch,
            }
        )
    return json_response(files)


_PULL = "/repos/{owner}/{repo}/pulls/{pull_number}"
ROUTES = [
    Route("POST", "/repos/{owner}/{repo}/pulls", create_pull, permission="pull_requests"),
    Route("GET", "/repos/{owner}/{repo}/pulls", list_pulls, permission="pull_requests"),
    Route("GET", _PULL, get_pull, permission="pull_requests"),
    Route("PATCH", _PULL, update_pull, permission="pull_requests"),
    Route("POST", _PULL + "/requested_reviewers", request_reviewers, permission="pull_requests"),
    Route("GET", _PULL + "/reviews", list_reviews, permission="pull_requests"),
    Route("GET", _PULL + "/comments", list_review_comments, permission="pull_requests"),
    Route("POST", _PULL + "/comments/{comment_id}/replies", reply_review_comment, permission="pull_requests"),
    Route("GET", _PULL + "/files", list_files, permission="pull_requests"),
]
