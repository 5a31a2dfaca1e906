"""Route (event, action) to the jobs that should run. Pure: handlers decide from the payload alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.events import JobRequest, WebhookEvent

__all__ = ["Handler", "Router", "RoutingContext"]


@dataclass(frozen=True)
class RoutingContext:
    """The few settings handlers need to decide."""

    trigger_label: str = "bot-fix"
    app_slug: str = "organic-pr"
    branch_prefix: str = "organic-pr/"

    @property
    def bot_login(self) -> str:
        return f"{self.app_slug}[bot]"


Handler = Callable[[WebhookEvent, RoutingContext], Iterable[JobRequest]]


class Router:
    """Handlers registered per (event, action); action None matches every action of the event.

    Usage:
        router = Router()

        @router.register("issues", "labeled")
        def on_labeled(event, ctx): ...

        app_router = Router(issues.router, comments.router)   # composition happens once, at the edge
    """

    def __init__(self, *others: Router) -> None:
        self._handlers: dict[tuple[str, str | None], list[Handler]] = {}
        for other in others:
            for key, handlers in other._handlers.items():
                self._handlers.setdefault(key, []).extend(handlers)

    def register(self, event: str, action: str | None = None) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self._handlers.setdefault((event, action), []).append(handler)
            return handler

        return decorate

    def handlers_for(self, event: WebhookEvent) -> list[Handler]:
        """Handlers for this exact action, then the event's catch-alls (once, also for events with no action)."""
        exact = self._handlers.get((event.name, event.action), []) if event.action is not None else []
        return [*exact, *self._handlers.get((event.name, None), [])]

    def knows(self, event_name: str) -> bool:
        return any(name == event_name for name, _ in self._handlers)

    def dispatch(self, event: WebhookEvent, ctx: RoutingContext) -> list[JobRequest]:
        """The jobs this event asks for; empty when it is ignored."""
        return [job for handler in self.handlers_for(event) for job in handler(event, ctx)]
