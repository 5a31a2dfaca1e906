"""Version awareness: facts and call checks against a library really installed (from a local wheel) in the
sandboxed environment, and a candidate corrected when it calls an API its pinned version lacks."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.llm import OpenAIChatModel
from bot.patching.candidates import CandidateConfig, JobWork, generate_candidates
from bot.patching.context import Issue
from bot.patching.trajectory import CandidateStatus, FileTrajectoryStore, TurnVerdict
from bot.patching.versions import VersionOracle, imported_modules
from memory.recall import Recall
from migrations.callcheck import FindingKind
from sandbox.backends import BubblewrapBackend
from sandbox.envs import EnvBuilder
from sandbox.index import IndexSettings
from sandbox.pythons import Interpreter
from tests.llm.scripted import ScriptedLLM
from tests.patching.test_trajectory_candidates import answer

TINYLIB = (
    "def greet(name, *, loud=False):\n"
    '    """Greet `name`, in capitals when `loud`."""\n'
    '    text = f"hello {name}"\n'
    "    return text.upper() if loud else text\n"
)
APP = {
    "requirements.txt": "tinylib==1.0\n",
    "hello/__init__.py": "",
    "hello/app.py": "import tinylib\n\n\ndef welcome(name):\n    return tinylib.greet(name)\n",
}
REPRO = (
    "tests/test_issue_repro.py",
    "from hello.app import welcome\n\n\ndef test_shouts():\n    assert welcome('ann') == 'HELLO ANN'\n",
)
OLD_LINE = "    return tinylib.greet(name)\n"


def build_wheel(directory: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """A minimal, valid pure-Python wheel (PEP 427) with a RECORD of real hashes."""
    dist_info = f"{name}-{version}.dist-info"
    entries = {path: text.encode() for path, text in files.items()}
    entries[f"{dist_info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    entries[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for path, data in entries.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    entries[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in entries.items():
            archive.writestr(path, data)
    return wheel


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("wheels")
    build_wheel(directory, "tinylib", "1.0", {"tinylib/__init__.py": TINYLIB})
    return directory


@pytest.fixture
def tiny_builder(
    interpreters: list[Interpreter], local_index: IndexSettings, env_cache: Path, wheels: Path
) -> EnvBuilder:
    """An environment builder that can install tinylib 1.0 from the local wheel (no network)."""
    index = IndexSettings(index_url=local_index.index_url, find_links=(str(wheels),))
    return EnvBuilder(backend=BubblewrapBackend(), cache_dir=env_cache, interpreters=interpreters, index=index)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import a.b as c\nfrom d.e import f\n", {"a", "d"}),
        ("from . import x\nfrom .y import z\n", set()),
        ("import (", set()),
    ],
)
def test_imported_modules(source: str, expected: set[str]) -> None:
    """Only absolute imports count, by their top-level name; unparsable source has none."""
    assert imported_modules(source) == expected


def test_oracle_reads_installed_version_and_signatures(
    make_git_repo: Callable[..., Path], tiny_builder: EnvBuilder
) -> None:
    """The oracle maps the import name to the installed distribution and lists its real signatures."""
    env = tiny_builder.ensure(make_git_repo(APP))
    oracle = VersionOracle.from_environment(env)
    assert oracle.versions["tinylib"] == "1.0" and oracle.providers["tinylib"] == "tinylib"
    facts = oracle.facts({"tinylib", "json"})
    assert "tinylib==1.0 (import tinylib)" in facts and "tinylib.greet(name, *, loud = False)" in facts


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("    return tinylib.greet_loud(name)\n", FindingKind.MISSING),
        ("    return tinylib.greet(name, True)\n", FindingKind.NO_BIND),
    ],
)
def test_oracle_checks_only_added_calls(
    make_git_repo: Callable[..., Path], tiny_builder: EnvBuilder, line: str, kind: FindingKind
) -> None:
    """A call the diff adds to a missing name or with a shape that does not bind is found on its line."""
    oracle = VersionOracle.from_environment(tiny_builder.ensure(make_git_repo(APP)))
    text = APP["hello/app.py"].replace(OLD_LINE, line)
    diff = f"--- a/hello/app.py\n+++ b/hello/app.py\n@@ -5 +5 @@\n-{OLD_LINE}+{line}"
    [found] = oracle.check_diff(diff, {"hello/app.py": text})
    assert (found.path, found.finding.line, found.finding.kind) == ("hello/app.py", 5, kind)


async def test_call_missing_from_pinned_version_is_corrected(
    scripted_llm: ScriptedLLM,
    make_git_repo: Callable[..., Path],
    make_job: Callable[..., JobWork],
    make_model: Callable[..., OpenAIChatModel],
    tiny_builder: EnvBuilder,
    tmp_path: Path,
) -> None:
    """The first prompt names the installed version; a call to an API that version lacks, then a call that
    does not bind, are each sent back naming the real signature; the third answer is proven."""
    repo = make_git_repo(APP)
    missing = ("hello/app.py", OLD_LINE, "    return tinylib.greet_loud(name)\n")
    positional = ("hello/app.py", "    return tinylib.greet_loud(name)\n", "    return tinylib.greet(name, True)\n")
    right = ("hello/app.py", "    return tinylib.greet(name, True)\n", "    return tinylib.greet(name, loud=True)\n")
    scripted_llm.on("generate", answer(missing, test=REPRO), answer(positional), answer(right), candidate=0)
    model = make_model()
    issue = Issue("welcome should shout", "welcome('ann') must give 'HELLO ANN'.")
    recall = Recall(files=[{"path": "hello/app.py", "why": ["defines welcome"]}])
    job = make_job(repo, issue, recall=recall, builder=tiny_builder)
    store = FileTrajectoryStore(tmp_path / "store")
    [trajectory] = await generate_candidates(job, model, store, CandidateConfig(1, 4))
    await model.aclose()
    verdicts = [t.verdict for t in trajectory.turns]
    assert verdicts == [TurnVerdict.VERSION_ERRORS, TurnVerdict.VERSION_ERRORS, TurnVerdict.PROVEN]
    requests = scripted_llm.requests_for("generate")
    assert "tinylib==1.0 (import tinylib)" in requests[0].messages[1]["content"]  # the version facts
    first_feedback, second_feedback = (requests[i].messages[-1]["content"] for i in (1, 2))
    assert "tinylib.greet_loud does not exist in tinylib 1.0" in first_feedback
    assert "real: tinylib.greet(name, *, loud = False)" in first_feedback
    assert "does not accept this call" in second_feedback and "loud = False" in second_feedback
    assert not trajectory.turns[0].runs and not trajectory.turns[1].runs  # nothing ran for a wrong API
    assert trajectory.status is CandidateStatus.PROVEN
