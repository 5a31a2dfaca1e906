"""The regression guard: pick the repo's tests nearest the touched files, reject candidates that break one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath

from reviewers.base import ORIGINAL, PoolContext, Score, TestMatrix, TestStatus, Verdict

__all__ = ["RegressionReviewer", "broken_tests", "module_name", "nearest_tests"]

IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w., ()]+)|import\s+([\w., ]+))", re.M)
SOURCE_ROOTS = ("src",)


def module_name(path: str) -> str:
    """The dotted module a source path defines (src/ layout aware): src/pkg/core.py -> pkg.core."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[0] in SOURCE_ROOTS:
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imported(text: str) -> set[str]:
    """Every module (and `module.name`) a test file imports."""
    names: set[str] = set()
    for match in IMPORT.finditer(text):
        if match.group(1):
            base = match.group(1)
            names.add(base)
            names.update(f"{base}.{n.strip(' ()')}" for n in match.group(2).split(",") if n.strip(" ()"))
        else:
            names.update(n.strip().split(" as ")[0] for n in match.group(3).split(","))
    return names


def _score(test: str, text: str, touched: list[str], cochange: Mapping[str, Mapping[str, float]]) -> float:
    imported = _imported(text)
    stem = PurePosixPath(test).stem.removeprefix("test_").removesuffix("_test")
    score = 0.0
    for path in touched:
        module = module_name(path)
        if module in imported:
            score += 3.0
        elif module.split(".")[0] in imported:
            score += 0.5
        if stem and stem == PurePosixPath(path).stem:
            score += 2.0
        score += 2.0 * cochange.get(path, {}).get(test, 0.0)
    return score


def nearest_tests(
    touched: list[str],
    test_texts: Mapping[str, str],
    cochange: Mapping[str, Mapping[str, float]] | None = None,
    k: int = 6,
) -> list[str]:
    """The `k` test files nearest the touched source files, by imports, naming and co-change."""
    scored = [(_score(test, text, touched, cochange or {}), test) for test, text in test_texts.items()]
    scored = [(score, test) for score, test in scored if score > 0]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [test for _, test in scored[:k]]


def broken_tests(matrix: TestMatrix, code: str) -> list[str]:
    """Tests that pass on the original code and do not pass on `code` (flaky ones excluded)."""
    broken = []
    for test in matrix.tests():
        before, after = matrix.get(test, ORIGINAL), matrix.get(test, code)
        if before is TestStatus.PASSED and after not in (TestStatus.PASSED, TestStatus.FLAKY):
            broken.append(test)
    return broken


class RegressionReviewer:
    """Rejects a candidate that turns a passing existing test red, naming the test."""

    name = "regression"

    def review(self, context: PoolContext) -> list[Verdict]:
        matrix = context.regression
        guarded = [t for t in matrix.tests() if matrix.get(t, ORIGINAL) is TestStatus.PASSED]
        verdicts = []
        for candidate in context.candidates:
            broken = broken_tests(matrix, candidate.id)
            if broken:
                names = ", ".join(broken[:3]) + (f" and {len(broken) - 3} more" if len(broken) > 3 else "")
                why = f"breaks {len(broken)} existing test(s): {names}"
                verdicts.append(Verdict(self.name, candidate.id, [Score("guard", 0.0, why)], rejected=why))
            else:
                why = f"keeps all {len(guarded)} nearest existing test(s) green"
                verdicts.append(Verdict(self.name, candidate.id, [Score("guard", 1.0, why)]))
        return verdicts
