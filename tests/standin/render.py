"""Render stand-in objects as the JSON GitHub returns, with every field its API description requires."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.standin.state import CheckRun, Comment, Issue, Pull, Reaction, Repo, Review, ReviewComment, StandinState

JSON = dict[str, Any]

_REPO_URL_FIELDS = (
    "archive blobs branches collaborators comments commits compare contents contributors deployments downloads "
    "events forks git_commits git_refs git_tags hooks issue_comment issue_events issues keys labels languages "
    "merges milestones notifications pulls releases stargazers statuses subscribers subscription tags teams trees "
    "assignees"
).split()
_USER_URL_FIELDS = "events followers following gists organizations received_events repos starred subscriptions".split()


def iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def user(state: StandinState, login: str) -> JSON:
    known = state.user(login)
    api = f"{state.base_url}/users/{login}"
    body: JSON = {
        "login": login,
        "id": known.id,
        "node_id": f"U_{known.id}",
        "avatar_url": f"{state.base_url}/avatars/{known.id}",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{state.base_url}/{login}",
        "type": known.type,
        "site_admin": False,
    }
    body.update({f"{name}_url": f"{api}/{name}" for name in _USER_URL_FIELDS})
    return body


def repository(state: StandinState, repo: Repo) -> JSON:
    api = f"{state.base_url}/repos/{repo.full_name}"
    stamp = "2024-01-01T00:00:00Z"
    body: JSON = {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": user(state, repo.owner),
        "private": repo.private,
        "description": None,
        "fork": False,
        "url": api,
        "html_url": f"{state.base_url}/{repo.full_name}",
        "clone_url": f"{state.base_url}/{repo.full_name}.git",
        "git_url": f"git://127.0.0.1/{repo.full_name}.git",
        "ssh_url": f"git@127.0.0.1:{repo.full_name}.git",
        "svn_url": f"{state.base_url}/{repo.full_name}",
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "default_branch": repo.default_branch,
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "size": 0,
        "open_issues": sum(1 for i in repo.issues.values() if i.state == "open"),
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": False,
        "archived": False,
        "disabled": False,
        "license": None,
        "pushed_at": stamp,
        "created_at": stamp,
        "updated_at": stamp,
    }
    body["open_issues_count"] = body["open_issues"]
    body.update({f"{name}_url": f"{api}/{name}" for name in _REPO_URL_FIELDS})
    return body


def label(state: StandinState, repo: Repo, name: str) -> JSON:
    ident = abs(hash((repo.full_name, name))) % 10**9
    return {
        "id": ident,
        "node_id": f"LA_{ident}",
        "url": f"{state.base_url}/repos/{repo.full_name}/labels/{name}",
        "name": name,
        "description": None,
        "color": repo.labels.get(name, "ededed"),
        "default": False,
    }


def _association(repo: Repo, login: str) -> str:
    if login == repo.owner:
        return "OWNER"
    return "COLLABORATOR" if login in repo.collaborators else "NONE"


def issue(state: StandinState, repo: Repo, item: Issue) -> JSON:
    api = f"{state.base_url}/repos/{repo.full_name}/issues/{item.number}"
    body: JSON = {
        "id": item.id,
        "node_id": f"I_{item.id}",
        "url": api,
        "repository_url": f"{state.base_url}/repos/{repo.full_name}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{state.base_url}/{repo.full_name}/issues/{item.number}",
        "number": item.number,
        "state": item.state,
        "title": item.title,
        "body": item.body,
        "user": user(state, item.user),
        "labels": [label(state, repo, name) for name in item.labels],
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "locked": item.locked,
        "comments": len(repo.issue_comments(item.number)),
        "closed_at": iso(item.closed_at),
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "author_association": _association(repo, item.user),
    }
    if item.number in repo.pulls:
        pulls = f"{state.base_url}/repos/{repo.full_name}/pulls/{item.number}"
        body["pull_request"] = {"url": pulls, "html_url": pulls, "diff_url": pulls, "patch_url": pulls}
    return body


def comment(state: StandinState, repo: Repo, item: Comment) -> JSON:
    return {
        "id": item.id,
        "node_id": f"IC_{item.id}",
        "url": f"{state.base_url}/repos/{repo.full_name}/issues/comments/{item.id}",
        "html_url": f"{state.base_url}/{repo.full_name}/issues/{item.issue_number}#issuecomment-{item.id}",
        "issue_url": f"{state.base_url}/repos/{repo.full_name}/issues/{item.issue_number}",
        "body": item.body,
        "user": user(state, item.user),
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "author_association": _association(repo, item.user),
    }


def reaction(state: StandinState, item: Reaction) -> JSON:
    return {
        "id": item.id,
        "node_id": f"REA_{item.id}",
        "user": user(state, item.user),
        "content": item.content,
        "created_at": iso(item.created_at),
    }


def _branch(state: StandinState, repo: Repo, branch: str) -> JSON:
    return {
        "label": f"{repo.owner}:{branch}",
        "ref": branch,
        "sha": state.branch_sha(repo.full_name, branch) or "0" * 40,
        "user": user(state, repo.owner),
        "repo": repository(state, repo),
    }


def pull(state: StandinState, repo: Repo, item: Pull, *, full: bool = True) -> JSON:
    api = f"{state.base_url}/repos/{repo.full_name}/pulls/{item.number}"
    html = f"{state.base_url}/{repo.full_name}/pull/{item.number}"
    issue_api = f"{state.base_url}/repos/{repo.full_name}/issues/{item.number}"
    links = {"self": api, "html": html, "issue": issue_api, "comments": f"{issue_api}/comments"}
    links |= {"review_comments": f"{api}/comments", "review_comment": f"{api}/comments{{/number}}"}
    links |= {"commits": f"{api}/commits", "statuses": f"{api}/statuses"}
    body: JSON = {
        "id": item.id,
        "node_id": f"PR_{item.id}",
        "number": item.number,
        "url": api,
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_api,
        "comments_url": links["comments"],
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "statuses_url": links["statuses"],
        "state": item.state,
        "locked": False,
        "title": item.title,
        "body": item.body,
        "user": user(state, item.user),
        "labels": [label(state, repo, name) for name in repo.issues[item.number].labels],
        "milestone": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [user(state, login) for login in item.requested_reviewers],
        "requested_teams": [],
        "head": _branch(state, repo, item.head),
        "base": _branch(state, repo, item.base),
        "_links": {name: {"href": href} for name, href in links.items()},
        "author_association": _association(repo, item.user),
        "auto_merge": None,
        "draft": item.draft,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "closed_at": iso(item.closed_at),
        "merged_at": iso(item.closed_at) if item.merged else None,
        "merge_commit_sha": None,
    }
    if full:
        body |= _pull_counts(state, repo, item)
    return body


def _pull_counts(state: StandinState, repo: Repo, item: Pull) -> JSON:
    from tests.standin.gitdata import diff_stats

    stats = diff_stats(repo, item.base, item.head)
    return {
        "merged": item.merged,
        "mergeable": None,
        "mergeable_state": "unknown",
        "merged_by": None,
        "comments": len(repo.issue_comments(item.number)),
        "review_comments": sum(1 for c in repo.review_comments.values() if c.pull_number == item.number),
        "maintainer_can_modify": False,
        "commits": stats.commits,
        "additions": stats.additions,
        "deletions": stats.deletions,
        "changed_files": len(stats.files),
    }


def review(state: StandinState, repo: Repo, item: Review) -> JSON:
    html = f"{state.base_url}/{repo.full_name}/pull/{item.pull_number}#pullrequestreview-{item.id}"
    pull_api = f"{state.base_url}/repos/{repo.full_name}/pulls/{item.pull_number}"
    return {
        "id": item.id,
        "node_id": f"PRR_{item.id}",
        "user": user(state, item.user),
        "body": item.body,
        "state": item.state,
        "commit_id": item.commit_id,
        "html_url": html,
        "pull_request_url": pull_api,
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_api}},
        "submitted_at": iso(item.submitted_at),
        "author_association": _association(repo, item.user),
    }


def review_comment(state: StandinState, repo: Repo, item: ReviewComment) -> JSON:
    api = f"{state.base_url}/repos/{repo.full_name}/pulls/comments/{item.id}"
    html = f"{state.base_url}/{repo.full_name}/pull/{item.pull_number}#discussion_r{item.id}"
    pull_api = f"{state.base_url}/repos/{repo.full_name}/pulls/{item.pull_number}"
    body: JSON = {
        "url": api,
        "id": item.id,
        "node_id": f"PRRC_{item.id}",
        "pull_request_review_id": item.review_id,
        "diff_hunk": item.diff_hunk,
        "path": item.path,
        "position": item.line,
        "original_position": item.line,
        "line": item.line,
        "original_line": item.line,
        "side": "RIGHT",
        "commit_id": item.commit_id,
        "original_commit_id": item.commit_id,
        "user": user(state, item.user),
        "body": item.body,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "html_url": html,
        "pull_request_url": pull_api,
        "author_association": _association(repo, item.user),
        "_links": {"self": {"href": api}, "html": {"href": html}, "pull_request": {"href": pull_api}},
    }
    if item.in_reply_to_id is not None:
        body["in_reply_to_id"] = item.in_reply_to_id
    return body


def app(state: StandinState) -> JSON:
    stamp = "2024-01-01T00:00:00Z"
    return {
        "id": state.app_id,
        "slug": state.app_slug,
        "node_id": f"A_{state.app_id}",
        "owner": user(state, "organic-pr-owner"),
        "name": state.app_slug,
        "description": None,
        "external_url": state.base_url,
        "html_url": f"{state.base_url}/apps/{state.app_slug}",
        "created_at": stamp,
        "updated_at": stamp,
        "permissions": {"issues": "write", "checks": "write", "contents": "write", "metadata": "read"},
        "events": ["issues", "issue_comment", "pull_request", "push"],
    }


def check_run(state: StandinState, repo: Repo, item: CheckRun) -> JSON:
    api = f"{state.base_url}/repos/{repo.full_name}/check-runs/{item.id}"
    return {
        "id": item.id,
        "node_id": f"CR_{item.id}",
        "head_sha": item.head_sha,
        "external_id": item.external_id,
        "url": api,
        "html_url": f"{state.base_url}/{repo.full_name}/runs/{item.id}",
        "details_url": item.details_url,
        "status": item.status,
        "conclusion": item.conclusion,
        "started_at": iso(item.started_at),
        "completed_at": iso(item.completed_at),
        "output": {
            "title": item.title,
            "summary": item.summary,
            "text": item.text,
            "annotations_count": len(item.annotations),
            "annotations_url": f"{api}/annotations",
        },
        "name": item.name,
        "check_suite": {"id": item.id},
        "app": app(state),
        "pull_requests": [],
    }


def error(message: str, status: int) -> JSON:
    return {"message": message, "documentation_url": "https://docs.github.com/rest", "status": str(status)}
