"""Issues, issue comments, labels, reactions and collaborator permissions."""

from __future__ import annotations

from starlette.responses import Response

from tests.standin import render
from tests.standin.api import Call, HttpError, Route, json_response
from tests.standin.state import Comment, Issue, Reaction, Repo, now

__all__ = ["ROUTES"]

REACTIONS = frozenset({"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"})
PERMISSION_ROLES = {"admin": "admin", "maintain": "maintain", "write": "write", "triage": "triage", "read": "read"}
# The `permission` field only knows the classic levels; maintain -> write, triage -> read (as GitHub does).
PERMISSION_LEVELS = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}


def _issue(call: Call) -> Issue:
    issue = call.the_repo.issues.get(call.number("issue_number"))
    if issue is None:
        raise HttpError(404, "Not Found")
    return issue


def _comment(call: Call) -> Comment:
    comment = call.the_repo.comments.get(call.number("comment_id"))
    if comment is None:
        raise HttpError(404, "Not Found")
    return comment


def get_issue(call: Call) -> Response:
    return json_response(render.issue(call.state, call.the_repo, _issue(call)))


def list_comments(call: Call) -> Response:
    repo, issue = call.the_repo, _issue(call)
    return json_response([render.comment(call.state, repo, c) for c in repo.issue_comments(issue.number)])


def _require_text(call: Call, name: str) -> str:
    value = call.field(name)
    if not isinstance(value, str):
        raise HttpError(422, f"Invalid request: {name} is required")
    return value


def create_comment(call: Call) -> Response:
    repo, issue = call.the_repo, _issue(call)
    if issue.locked:
        raise HttpError(403, "Unable to create comment because issue is locked.")
    comment = Comment(call.state.next_id(), issue.number, _require_text(call, "body"), call.actor)
    repo.comments[comment.id] = comment
    headers = {"Location": render.comment(call.state, repo, comment)["url"]}
    return json_response(render.comment(call.state, repo, comment), 201, headers)


def update_comment(call: Call) -> Response:
    comment = _comment(call)
    comment.body = _require_text(call, "body")
    comment.updated_at = now()
    return json_response(render.comment(call.state, call.the_repo, comment))


def _react(call: Call, repo: Repo, subject: tuple[str, int]) -> Response:
    content = call.field("content")
    if content not in REACTIONS:
        raise HttpError(422, "Validation Failed")
    for existing in repo.reactions:
        if existing.subject == subject and existing.user == call.actor and existing.content == content:
            return json_response(render.reaction(call.state, existing), 200)
    reaction = Reaction(call.state.next_id(), content, call.actor, subject)
    repo.reactions.append(reaction)
    return json_response(render.reaction(call.state, reaction), 201)


def react_issue(call: Call) -> Response:
    return _react(call, call.the_repo, ("issue", _issue(call).number))


def react_comment(call: Call) -> Response:
    return _react(call, call.the_repo, ("comment", _comment(call).id))


def react_review_comment(call: Call) -> Response:
    comment_id = call.number("comment_id")
    if comment_id not in call.the_repo.review_comments:
        raise HttpError(404, "Not Found")
    return _react(call, call.the_repo, ("review_comment", comment_id))


def add_labels(call: Call) -> Response:
    repo, issue = call.the_repo, _issue(call)
    names = call.field("labels", [])
    for name in names if isinstance(names, list) else []:
        label_name = name if isinstance(name, str) else str(name.get("name"))
        repo.labels.setdefault(label_name, "ededed")
        if label_name not in issue.labels:
            issue.labels.append(label_name)
    return json_response([render.label(call.state, repo, name) for name in issue.labels])


def remove_label(call: Call) -> Response:
    repo, issue = call.the_repo, _issue(call)
    name = call.param("name")
    if name not in issue.labels:
        raise HttpError(404, "Label does not exist")
    issue.labels.remove(name)
    return json_response([render.label(call.state, repo, label) for label in issue.labels])


def collaborator_permission(call: Call) -> Response:
    repo, login = call.the_repo, call.param("username")
    if login == repo.owner:
        role = "admin"
    elif login in repo.collaborators:
        role = repo.collaborators[login]
    elif login in call.state.users:
        role = "read"  # a public repository: anyone can read
    else:
        raise HttpError(404, "Not Found")
    user = render.user(call.state, login)
    user |= {"role_name": role, "permissions": _permission_flags(role)}
    body = {"permission": PERMISSION_LEVELS.get(role, "none"), "role_name": role, "user": user}
    return json_response(body)


def _permission_flags(role: str) -> dict[str, bool]:
    order = ["read", "triage", "write", "maintain", "admin"]
    rank = order.index(role) if role in order else -1
    return {
        "pull": rank >= 0,
        "triage": rank >= 1,
        "push": rank >= 2,
        "maintain": rank >= 3,
        "admin": rank >= 4,
    }


_ISSUE = "/repos/{owner}/{repo}/issues/{issue_number}"
ROUTES = [
    Route("GET", _ISSUE, get_issue, permission="issues"),
    Route("GET", _ISSUE + "/comments", list_comments, permission="issues"),
    Route("POST", _ISSUE + "/comments", create_comment, permission="issues"),
    Route("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", update_comment, permission="issues"),
    Route("POST", _ISSUE + "/reactions", react_issue, permission="issues"),
    Route("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", react_comment, permission="issues"),
    Route(
        "POST",
        "/repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions",
        react_review_comment,
        permission="pull_requests",
    ),
    Route("POST", _ISSUE + "/labels", add_labels, permission="issues"),
    Route("DELETE", _ISSUE + "/labels/{name}", remove_label, permission="issues"),
    Route(
        "GET",
        "/repos/{owner}/{repo}/collaborators/{username}/permission",
        collaborator_permission,
        permission="metadata",
    ),
]
