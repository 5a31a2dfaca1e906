"""Running tests in the sandbox: per-test results, subsets, extra tests, private copies, flakiness."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.backends import BubblewrapBackend
from sandbox.envs import EnvBuilder, Environment
from sandbox.errors import SandboxError
from sandbox.junit import Outcome
from sandbox.runner import NO_REPORT, TestRequest, TestRunner, write_inside
from sandbox.verdict import Verdict

SUITE = {
    "requirements.txt": "",
    "calc/__init__.py": "def add(a, b):\n    return a + b\n",
    "tests/test_calc.py": (
        "import pytest\nfrom calc import add\n\n"
        "def test_add():\n    assert add(1, 2) == 3\n\n"
        "def test_wrong():\n    assert add(1, 2) == 4\n\n"
        "@pytest.mark.skip(reason='later')\ndef test_later():\n    pass\n"
    ),
}
REPRO = ("tests/test_repro.py", "from calc import add\n\ndef test_repro():\n    assert add(2, 2) == 4\n")


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    root = tmp_path / "suite"
    for rel, text in SUITE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture
def env(env_builder: EnvBuilder, suite: Path) -> Environment:
    return env_builder.ensure(suite)


@pytest.fixture
def runner(bwrap_backend: BubblewrapBackend, tmp_path: Path) -> TestRunner:
    return TestRunner(backend=bwrap_backend, max_parallel=2, work_dir=tmp_path)


def test_per_test_results(runner: TestRunner, env: Environment, suite: Path) -> None:
    """A failing suite gives FAILED plus a result per test with failure text."""
    run = runner.run(env, TestRequest(suite))
    outcomes = {t.node_id: t.outcome for t in run.tests}
    assert run.run.verdict is Verdict.FAILED and run.run.exit_code == 1
    assert outcomes == {
        "tests/test_calc.py::test_add": Outcome.PASSED,
        "tests/test_calc.py::test_wrong": Outcome.FAILED,
        "tests/test_calc.py::test_later": Outcome.SKIPPED,
    }
    assert "assert 3 == 4" in next(t.message for t in run.tests if t.outcome is Outcome.FAILED)


def test_subset_by_node_id(runner: TestRunner, env: Environment, suite: Path) -> None:
    """Only the chosen node ids run."""
    run = runner.run(env, TestRequest(suite, node_ids=("tests/test_calc.py::test_add",)))
    assert run.run.verdict is Verdict.OK and [t.node_id for t in run.tests] == ["tests/test_calc.py::test_add"]


def test_extra_test_file_runs_on_a_copy(runner: TestRunner, env: Environment, suite: Path) -> None:
    """A model-written test is added to a copy; the original worktree is untouched."""
    run = runner.run(env, TestRequest(suite, node_ids=(REPRO[0],), extra_test=REPRO))
    assert [(t.node_id, t.outcome) for t in run.tests] == [("tests/test_repro.py::test_repro", Outcome.PASSED)]
    assert not (suite / REPRO[0]).exists()


def test_parallel_runs_do_not_see_each_other(runner: TestRunner, env: Environment, suite: Path) -> None:
    """Files written by one run are invisible to a concurrent run of another request."""
    writer = (
        "tests/test_w.py",
        "import time, pathlib\n\ndef test_w():\n    pathlib.Path('mark').write_text('1')\n    time.sleep(1)\n",
    )
    reader = (
        "tests/test_r.py",
        "import time, pathlib\n\ndef test_r():\n    time.sleep(0.5)\n    assert not pathlib.Path('mark').exists()\n",
    )
    runs = runner.run_many(env, [TestRequest(suite, (w[0],), w) for w in (writer, reader)])
    assert [run.run.verdict for run in runs] == [Verdict.OK, Verdict.OK]
    assert not (suite / "mark").exists()


async def test_async_runs_keep_request_order(runner: TestRunner, env: Environment, suite: Path) -> None:
    """The asyncio form returns results in request order."""
    ids = ("tests/test_calc.py::test_wrong", "tests/test_calc.py::test_add")
    runs = await runner.arun_many(env, [TestRequest(suite, (node,)) for node in ids])
    assert [run.tests[0].node_id for run in runs] == list(ids)


def test_flaky_tests_are_marked(runner: TestRunner, env: Environment, suite: Path) -> None:
    """Coin-flip tests that both pass and fail across repeats are reported flaky; stable ones are not."""
    flips = "import random\n" + "".join(
        f"\ndef test_flip_{i}():\n    assert random.random() < 0.5\n" for i in range(20)
    )
    report = runner.repeat(env, TestRequest(suite, extra_test=("tests/test_flip.py", flips)), times=3)
    assert report.flaky  # 20 tests x 3 fair flips: all consistent has probability 0.25**20
    assert all(node.startswith("tests/test_flip.py::") for node in report.flaky)
    for history in report.histories:
        if history.node_id in report.flaky:
            assert {Outcome.PASSED, Outcome.FAILED} <= set(history.outcomes)


def test_missing_report_is_said(runner: TestRunner, env: Environment, suite: Path) -> None:
    """A command that writes no JUnit report gives no per-test results and says why."""
    run = runner.run(env, TestRequest(suite, command=(str(env.python), "-c", "import sys; print(sys.argv[1:])")))
    assert run.run.verdict is Verdict.OK and run.tests == () and run.report_error == NO_REPORT


@pytest.mark.parametrize("relpath", ["/etc/x.py", "../x.py", "tests/../../x.py"])
def test_extra_test_path_must_stay_inside(tmp_path: Path, relpath: str) -> None:
    """Absolute or parent-relative extra test paths are refused."""
    with pytest.raises(SandboxError):
        write_inside(tmp_path, relpath, "")


def test_extra_test_cannot_follow_a_symlinked_directory(tmp_path: Path) -> None:
    """A repo directory that is a symlink out of the worktree cannot redirect the extra test's write."""
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "tests").symlink_to(outside)
    with pytest.raises(SandboxError, match="symlink"):
        write_inside(root, "tests/test_x.py", "x")
    assert list(outside.iterdir()) == []
