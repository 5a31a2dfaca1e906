"""Poetry constraints in PEP 440 terms."""

from __future__ import annotations

import pytest

from sandbox.poetry import constraint_to_pep440, poetry_requirements


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", ">=1.2.3,<2"),
        ("^0.2.3", ">=0.2.3,<0.3"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("~1.2", ">=1.2,<1.3"),
        ("~1", ">=1,<2"),
        ("*", ""),
        ("1.2", "==1.2"),
        (">=1,<2", ">=1,<2"),
        ("~=1.4", "~=1.4"),
    ],
)
def test_constraint_to_pep440(constraint: str, expected: str) -> None:
    """Caret, tilde, wildcard and exact constraints translate to PEP 440."""
    assert constraint_to_pep440(constraint) == expected


def test_optional_dependencies_are_skipped() -> None:
    """Optional Poetry dependencies are not installed into the test environment."""
    python, requirements, notes = poetry_requirements({"dependencies": {"x": {"version": "1", "optional": True}}}, ())
    assert (python, requirements, len(notes)) == (None, [], 1)
