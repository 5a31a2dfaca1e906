"""Dependency order inside the org."""

from __future__ import annotations

import pytest

from bot.campaigns.graph import RepoNode, dependency_order


def node(name: str, provides: tuple[str, ...] = (), requires: tuple[str, ...] = ()) -> RepoNode:
    return RepoNode(name, frozenset(provides), frozenset(requires))


@pytest.mark.parametrize(
    ("nodes", "order"),
    [
        (  # a library two apps depend on goes first, whatever the names
            [node("o/zlib", ("z-lib",)), node("o/a", requires=("z-lib",)), node("o/b", requires=("Z_Lib", "x"))],
            ["o/zlib", "o/a", "o/b"],
        ),
        (  # a chain
            [node("o/c", ("c",), ("b",)), node("o/b", ("b",), ("a",)), node("o/a", ("a",))],
            ["o/a", "o/b", "o/c"],
        ),
        (  # independent repos: by name
            [node("o/b"), node("o/a"), node("o/c")],
            ["o/a", "o/b", "o/c"],
        ),
        (  # a repo requiring its own name is not a cycle
            [node("o/a", ("a",), ("a",))],
            ["o/a"],
        ),
    ],
)
def test_dependency_order(nodes: list[RepoNode], order: list[str]) -> None:
    """Libraries come before the repositories that declare them; ties go by name."""
    found = dependency_order(nodes)
    assert (found.repos, found.cycles) == (order, [])


def test_cycle_is_reported_and_broken_deterministically() -> None:
    """A cycle is reported once, broken at its first name, and the order is the same whatever the input order."""
    nodes = [
        node("o/x", ("x",), ("y",)),
        node("o/y", ("y",), ("x",)),
        node("o/app", requires=("x",)),
        node("o/base", ("base",)),
    ]
    found = dependency_order(nodes)
    assert found.cycles == [["o/x", "o/y"]]
    assert found.repos == ["o/base", "o/x", "o/app", "o/y"]  # x first (the cycle broken at it), then by name
    assert dependency_order(list(reversed(nodes))).repos == found.repos


def test_edges_name_the_repos_each_depends_on() -> None:
    """`edges` lists, per repository, the org repositories it depends on."""
    found = dependency_order([node("o/lib", ("lib",)), node("o/app", requires=("lib",))])
    assert found.edges == {"o/app": ["o/lib"]}
