"""Builds the end-to-end fixture repository by code: `ledger`, a small multi-module Python project with a real
bug (`split` drops the remainder cents), its tests, its own conventions (`area: lower-case summary` commit
titles, tests in tests/test_<module>.py) and a history of a few dozen commits.

    repo = build_fixture_repo(tmp_path / "ledger")        # a non-bare checkout on `main`
    FIX, REPRO_PATH, REPRO_CODE                            # the right edit and a repro test, for scripted models
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = [
    "BUGGY_LINE",
    "FIXED_LINES",
    "ISSUE_BODY",
    "ISSUE_TITLE",
    "REPRO_CODE",
    "REPRO_PATH",
    "build_fixture_repo",
    "fix_answer",
]

ISSUE_TITLE = "split() loses cents"
ISSUE_BODY = "`ledger.money.split(100, 3)` returns `[33, 33, 33]`: one cent disappears. The parts must sum to 100."
BUGGY_LINE = "    return [share] * parts\n"
FIXED_LINES = "    return [share + (1 if i < rest else 0) for i in range(parts)]\n"
REPRO_PATH = "tests/test_split_remainder.py"
REPRO_CODE = (
    "from ledger.money import split\n\n\n"
    "def test_split_keeps_every_cent():\n"
    "    assert split(100, 3) == [34, 33, 33]\n"
    "    assert sum(split(101, 4)) == 101\n"
)

MONEY_V1 = '''"""Amounts in integer cents."""

from ledger.errors import LedgerError


def cents(amount):
    """Whole cents from a decimal string such as "12.34"."""
    units, _, frac = amount.partition(".")
    return int(units) * 100 + int((frac + "00")[:2])
'''
SPLIT = '''

def split(total, parts):
    """Split `total` cents into `parts` shares that differ by at most one cent."""
    if parts <= 0:
        raise LedgerError("parts must be positive")
    share, rest = divmod(total, parts)
    return [share] * parts
'''
FORMAT = '''

def format_cents(value):
    """ "12.34" from 1234 cents."""
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"
'''
ERRORS = '''"""The ledger's errors."""


class LedgerError(Exception):
    """Base of every ledger error."""


class UnknownAccount(LedgerError):
    """No account with that name."""
'''
ACCOUNTS = '''"""Accounts and postings."""

from ledger.errors import UnknownAccount


class Book:
    """A set of named accounts with integer-cent balances."""

    def __init__(self):
        self.balances = {}

    def open(self, name):
        self.balances.setdefault(name, 0)

    def post(self, name, value):
        if name not in self.balances:
            raise UnknownAccount(name)
        self.balances[name] += value
'''
REPORT = '''"""Plain-text reports."""

from ledger.money import format_cents


def report(book):
    """One line per account, sorted by name."""
    return "\\n".join(f"{name}: {format_cents(value)}" for name, value in sorted(book.balances.items()))
'''
TEST_MONEY = """from ledger.money import cents, format_cents, split


def test_cents():
    assert cents("12.34") == 1234


def test_format():
    assert format_cents(1234) == "12.34"


def test_split_even():
    assert split(90, 3) == [30, 30, 30]
"""
TEST_ACCOUNTS = """import pytest

from ledger.accounts import Book
from ledger.errors import UnknownAccount


def test_post():
    book = Book()
    book.open("cash")
    book.post("cash", 250)
    assert book.balances == {"cash": 250}


def test_unknown():
    with pytest.raises(UnknownAccount):
        Book().post("nope", 1)
"""
TEST_REPORT = """from ledger.accounts import Book
from ledger.report import report


def test_report():
    book = Book()
    book.open("cash")
    book.post("cash", 1205)
    assert report(book) == "cash: 12.05"
"""
WORKFLOW = "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
CONFIG = "candidates: 2\nturns: 2\n"

# (title, files written by the commit) in order; later entries override earlier texts.
HISTORY: list[tuple[str, dict[str, str]]] = [
    ("build: start the ledger package", {"ledger/__init__.py": "", "requirements.txt": "", "README.md": "# ledger\n"}),
    ("errors: add LedgerError", {"ledger/errors.py": ERRORS.split("\n\nclass UnknownAccount")[0] + "\n"}),
    ("money: parse decimal strings into cents", {"ledger/money.py": MONEY_V1}),
    ("tests: cover cents()", {"tests/test_money.py": TEST_MONEY.split("\n\n\ndef test_format")[0] + "\n"}),
    ("money: format cents for display", {"ledger/money.py": MONEY_V1 + FORMAT}),
    ("tests: cover format_cents()", {"tests/test_money.py": TEST_MONEY.split("\n\n\ndef test_split")[0] + "\n"}),
    ("errors: add UnknownAccount", {"ledger/errors.py": ERRORS}),
    ("accounts: add Book with open and post", {"ledger/accounts.py": ACCOUNTS}),
    ("tests: cover Book.post", {"tests/test_accounts.py": TEST_ACCOUNTS}),
    ("report: one line per account", {"ledger/report.py": REPORT}),
    ("tests: cover report()", {"tests/test_report.py": TEST_REPORT}),
    ("money: split totals into shares", {"ledger/money.py": MONEY_V1 + FORMAT + SPLIT}),
    ("tests: cover split() on even totals", {"tests/test_money.py": TEST_MONEY}),
    ("ci: run the tests on push", {".github/workflows/ci.yml": WORKFLOW}),
    ("build: configure organic-pr", {".github/organic-pr.yml": CONFIG}),
]
NOTES = [
    "accounts",
    "money",
    "report",
    "errors",
    "docs",
]


def _doc_commits(count: int) -> list[tuple[str, dict[str, str]]]:
    """Small documentation commits spread over the modules, so history has the repo's title style throughout."""
    lines: list[str] = []
    commits = []
    for i in range(count):
        area = NOTES[i % len(NOTES)]
        lines.append(f"- {area}: note {i}")
        notes = "# Notes\n\n" + "\n".join(lines) + "\n"
        commits.append((f"docs: describe {area} behaviour ({i})", {"docs/NOTES.md": notes}))
    return commits


def _git(cwd: Path, *args: str, when: int = 0) -> str:
    stamp = f"{1_700_000_000 + when * 3600} +0000"
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_SYSTEM": "/dev/null",
        "GIT_AUTHOR_NAME": "Ada Maintainer",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada Maintainer",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def build_fixture_repo(path: Path, *, doc_commits: int = 20) -> Path:
    """Create the repository at `path` (a checkout on `main`) with its whole history; returns `path`."""
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q", "-b", "main")
    docs = _doc_commits(doc_commits)
    half = doc_commits // 2
    for when, (title, files) in enumerate(HISTORY[:12] + docs[:half] + HISTORY[12:] + docs[half:]):
        for rel, text in files.items():
            (path / rel).parent.mkdir(parents=True, exist_ok=True)
            (path / rel).write_text(text)
        _git(path, "add", "-A")
        _git(path, "commit", "-q", "-m", title, when=when)
    return path


def fix_answer(test_path: str = REPRO_PATH, test_code: str = REPRO_CODE) -> str:
    """A model answer with the right edit and a reproduction test, in the generator's answer format."""
    block = f"ledger/money.py\n<<<<<<< SEARCH\n{BUGGY_LINE}=======\n{FIXED_LINES}>>>>>>> REPLACE\n"
    return f'The remainder is dropped.\n<edits>\n{block}</edits>\n<test path="{test_path}">\n{test_code}</test>\n'
