"""The GitHub stand-in as a Starlette app: the REST routes, git smart HTTP, and conformance checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from tests.conformance.openapi import Spec
from tests.standin import render, routes_issues, routes_misc, routes_pulls, routes_repos
from tests.standin.api import Route, handle, json_response
from tests.standin.githttp import git_endpoint
from tests.standin.state import StandinState

__all__ = ["API_ROUTES", "create_standin_app"]

API_ROUTES: list[Route] = [*routes_misc.ROUTES, *routes_issues.ROUTES, *routes_pulls.ROUTES, *routes_repos.ROUTES]

Endpoint = Callable[[Request], Awaitable[Response]]


def _api_endpoint(state: StandinState, route: Route, spec: Spec | None) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await handle(state, route, request, spec)

    return endpoint


def _git(state: StandinState) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await git_endpoint(state, request)

    return endpoint


def create_standin_app(state: StandinState, spec: Spec | None) -> Starlette:
    """The stand-in; with a `spec`, every request and response is checked and violations land in state."""
    routes = [StarletteRoute("/{owner}/{name}.git/{rest:path}", _git(state), methods=["GET", "POST"])]
    routes += [
        StarletteRoute(route.path, _api_endpoint(state, route, spec), methods=[route.method]) for route in API_ROUTES
    ]
    routes.append(
        StarletteRoute("/{rest:path}", _unimplemented(state, spec), methods=["GET", "POST", "PATCH", "PUT", "DELETE"])
    )
    return Starlette(routes=routes)


def _unimplemented(state: StandinState, spec: Spec | None) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        known = spec is None or spec.find(request.method, request.url.path) is not None
        what = "not implemented by the stand-in" if known else "not in the API description"
        state.violations.append(f"{request.method} {request.url.path}: {what}")
        return json_response(render.error("Not Found", 404), 404)

    return endpoint
