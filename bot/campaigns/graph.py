"""Rollout order inside an organisation: libraries before the repositories that depend on them (pure).

A repository depends on another when it declares one of the other's distribution names. The order is a
topological sort that breaks ties by repository name, so it is the same on every run; a cycle is reported
(every strongly connected group of two or more) and broken at its alphabetically first member.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Order", "RepoNode", "dependency_order", "normalize"]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class RepoNode:
    """A repository: the distributions it builds and the distribution names it declares as dependencies."""

    full_name: str
    provides: frozenset[str] = frozenset()
    requires: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Order:
    repos: list[str]
    edges: dict[str, list[str]] = field(default_factory=dict)  # repo -> repos of the org it depends on
    cycles: list[list[str]] = field(default_factory=list)


def dependency_order(nodes: Iterable[RepoNode]) -> Order:
    by_name = {n.full_name: n for n in nodes}
    providers: dict[str, str] = {}
    for name in sorted(by_name):
        for dist in by_name[name].provides:
            providers.setdefault(normalize(dist), name)
    deps = {
        name: sorted({providers[normalize(d)] for d in node.requires if normalize(d) in providers} - {name})
        for name, node in by_name.items()
    }
    cycles = _cycles(deps)
    return Order(_toposort(deps, cycles), {k: v for k, v in deps.items() if v}, cycles)


def _toposort(deps: Mapping[str, list[str]], cycles: list[list[str]]) -> list[str]:
    waiting = {name: set(d) for name, d in deps.items()}
    users: dict[str, list[str]] = {name: [] for name in deps}
    for name, needed in deps.items():
        for dep in needed:
            users[dep].append(name)
    ready = [name for name, needed in waiting.items() if not needed]
    heapq.heapify(ready)
    order: list[str] = []
    while len(order) < len(deps):
        if not ready:  # only cycles (and what waits on them) are left: break the first cycle nothing else holds up
            stuck = _cycle_breaker(waiting, cycles, set(order))
            waiting[stuck].clear()
            heapq.heappush(ready, stuck)
        name = heapq.heappop(ready)
        if name in order:
            continue
        order.append(name)
        for user in users[name]:
            waiting[user].discard(name)
            if not waiting[user] and user not in order:
                heapq.heappush(ready, user)
    return order


def _cycle_breaker(waiting: Mapping[str, set[str]], cycles: list[list[str]], done: set[str]) -> str:
    """The first-named member of a cycle whose members wait only on each other."""
    for group in cycles:
        members = set(group) - done
        if members and all(waiting[m] <= set(group) for m in members):
            return min(members)
    raise AssertionError("a stuck topological sort always has a source cycle")  # pragma: no cover


def _cycles(deps: Mapping[str, list[str]]) -> list[list[str]]:
    """Strongly connected groups of two or more repositories (Tarjan), each sorted, sorted by first member."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for dep in deps[name]:
            if dep not in index:
                visit(dep)
                low[name] = min(low[name], low[dep])
            elif dep in stack:
                low[name] = min(low[name], index[dep])
        if low[name] == index[name]:
            group: list[str] = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == name:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in sorted(deps):
        if name not in index:
            visit(name)
    return sorted(groups)
