"""Parse pytest's JUnit XML (xunit1 family, which carries file names) into per-test results."""

from __future__ import annotations

import enum
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from sandbox.errors import ReportError

MAX_MESSAGE_CHARS = 8000


class Outcome(enum.Enum):
    """The outcome of one test, worst first when a test case reports several."""

    ERROR = "error"
    FAILED = "failed"
    SKIPPED = "skipped"
    PASSED = "passed"


@dataclass(frozen=True)
class TestResult:
    """One test: its pytest node id, outcome, duration and failure text (empty when it passed)."""

    __test__ = False  # not a pytest test class

    node_id: str
    outcome: Outcome
    duration_s: float
    message: str = ""


def parse_junit(text: str) -> list[TestResult]:
    """Every test case in a JUnit XML document, in document order."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ReportError("JUnit report contains a DOCTYPE or ENTITY declaration; refusing to parse it")
    try:
        root = ET.fromstring(text)  # noqa: S314 - input is size-capped and DOCTYPE/ENTITY were refused above
    except ET.ParseError as exc:
        raise ReportError(f"JUnit report is not well-formed XML: {exc}") from exc
    return [_result(case) for case in root.iter("testcase")]


def node_id(file: str | None, classname: str, name: str) -> str:
    """The pytest node id from xunit1 attributes: the classname minus the module part gives the classes."""
    if not file:
        return "::".join(filter(None, [classname.replace(".", "/") + ".py" if classname else "", name]))
    module = file[:-3].replace("/", ".") if file.endswith(".py") else file
    classes = classname[len(module) :].lstrip(".") if classname.startswith(module) else ""
    return "::".join([file, *filter(None, classes.split(".")), name])


def _result(case: ET.Element) -> TestResult:
    outcome, message = Outcome.PASSED, ""
    for child in case:
        found = _child_outcome(child.tag)
        if found is not None and _worse(found, outcome):
            outcome = found
            message = _message(child)
    return TestResult(
        node_id=node_id(case.get("file"), case.get("classname", ""), case.get("name", "")),
        outcome=outcome,
        duration_s=_float(case.get("time")),
        message=message,
    )


def _child_outcome(tag: str) -> Outcome | None:
    return {"failure": Outcome.FAILED, "error": Outcome.ERROR, "skipped": Outcome.SKIPPED}.get(tag)


def _worse(candidate: Outcome, current: Outcome) -> bool:
    order = list(Outcome)
    return order.index(candidate) < order.index(current)


def _message(element: ET.Element) -> str:
    text = "\n".join(part for part in (element.get("message", ""), element.text or "") if part.strip())
    return text[:MAX_MESSAGE_CHARS]


def _float(value: str | None) -> float:
    try:
        return float(value or 0.0)
    except ValueError:
        return 0.0
