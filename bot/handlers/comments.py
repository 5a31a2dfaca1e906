"""`/organic-pr <command>` in an issue or PR comment: retry, cancel, status."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.events import JobRequest, WebhookEvent
from bot.handlers._common import field, is_conversation_ready, target_kwargs
from bot.routing import Router, RoutingContext

router = Router()

COMMANDS = ("retry", "cancel", "status")
COMMAND_RE = re.compile(r"^/organic-pr(?:[ \t]+([A-Za-z-]+))?[ \t]*$", re.MULTILINE)


def parse_command(body: str) -> str | None:
    """The first `/organic-pr <word>` line of a comment, lower-cased; "help" for a bare or unknown command."""
    match = COMMAND_RE.search(body or "")
    if match is None:
        return None
    word = (match.group(1) or "").lower()
    return word if word in COMMANDS else "help"


@router.register("issue_comment", "created")
def on_comment(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    body = field(event.payload, "comment", "body")
    number = field(event.payload, "issue", "number")
    if not isinstance(body, str) or not isinstance(number, int) or not is_conversation_ready(event):
        return
    command = parse_command(body)
    if command is None:
        return
    kwargs = {**target_kwargs(event, number), "command": command, "comment_id": field(event.payload, "comment", "id")}
    yield JobRequest("run_command", kwargs, target_number=number)
