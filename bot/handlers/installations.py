"""Installation events keep the store's installations and repositories in sync."""

from __future__ import annotations

from collections.abc import Iterator

from bot.events import JobRequest, WebhookEvent
from bot.routing import Router, RoutingContext

router = Router()


def _sync(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    if event.installation_id is None:
        return
    yield JobRequest("sync_installation", {"event": event.name, "payload": event.payload})


router.register("installation")(_sync)
router.register("installation_repositories")(_sync)
