"""Filesystem attacks from inside the sandbox: read secrets, escape through symlinks, write outside, fill disks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.backends import RunResult
from sandbox.limits import MIB, Limits
from sandbox.verdict import Verdict

RunPython = Callable[..., RunResult]
SECRET = "s3cr3t-organic-pr-private-key"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A secret planted on the host, outside the worktree."""
    path = tmp_path / "outside" / "app-private-key.pem"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def test_read_secret_by_absolute_path(run_python: RunPython, secret_file: Path) -> None:
    """A host file outside the worktree does not exist inside the sandbox."""
    result = run_python("import sys; print(open(sys.argv[1]).read())", str(secret_file))
    assert result.verdict is Verdict.FAILED and "FileNotFoundError" in result.stderr
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("kind", ["absolute", "relative"])
def test_read_secret_through_committed_symlink(
    run_python: RunPython, secret_file: Path, tmp_path: Path, kind: str
) -> None:
    """A symlink in the repo pointing at the secret resolves to nothing inside the sandbox."""
    target = secret_file if kind == "absolute" else Path("..") / "outside" / secret_file.name
    (tmp_path / "work").mkdir(exist_ok=True)
    (tmp_path / "work" / "leak.pem").symlink_to(target)
    result = run_python("print(open('leak.pem').read())")
    assert result.verdict is Verdict.FAILED and "FileNotFoundError" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_home_and_root_are_not_visible(run_python: RunPython) -> None:
    """Of /root only the path down to the mounted interpreter exists; /home and the project do not."""
    code = (
        "import os, sys\n"
        "print([p for p in ('/home', '/work', '/var/lib', '/etc/shadow', '/opt') if os.path.exists(p)])\n"
        "path = '/'\n"
        "for part in sys.base_prefix.strip('/').split('/'):\n"
        "    assert os.listdir(path) == [part] or path == '/', (path, os.listdir(path))\n"
        "    path = os.path.join(path, part)\n"
    )
    result = run_python(code)
    assert result.verdict is Verdict.OK, result.stderr
    assert result.stdout.strip() == "[]"


def test_write_outside_the_worktree(run_python: RunPython, secret_file: Path, tmp_path: Path) -> None:
    """Writes to host paths, system directories or through a symlink out of the worktree do not reach the host."""
    outside = secret_file.parent
    (tmp_path / "work" / "out").symlink_to(outside)
    code = (
        "import sys\n"
        "failures = []\n"
        "for path in (sys.argv[1] + '/pwned', '/usr/pwned', '/etc/pwned', 'out/pwned'):\n"
        "    try:\n"
        "        open(path, 'w').write('x')\n"
        "    except OSError as exc:\n"
        "        failures.append(type(exc).__name__)\n"
        "print(failures)\n"
        "raise SystemExit(0 if len(failures) == 4 else 9)\n"
    )
    result = run_python(code, str(outside))
    assert result.verdict is Verdict.OK, result.stderr
    assert sorted(p.name for p in outside.iterdir()) == [secret_file.name]
    assert not Path("/usr/pwned").exists() and not Path("/etc/pwned").exists()


def test_fill_the_disk_past_the_file_size_limit(run_python: RunPython, tmp_path: Path) -> None:
    """A file growing past the file-size limit is stopped with FILE_SIZE_LIMIT; the host keeps only the cap."""
    code = "with open('fill', 'wb') as f:\n    while True:\n        f.write(b'x' * 1048576)\n"
    result = run_python(code, limits=Limits(file_size_bytes=4 * MIB, wall_s=60))
    assert result.verdict is Verdict.FILE_SIZE_LIMIT
    assert (tmp_path / "work" / "fill").stat().st_size <= 4 * MIB


def test_fill_private_tmp(run_python: RunPython) -> None:
    """The private /tmp is a size-capped tmpfs: filling it fails with ENOSPC, not on the host."""
    code = "import itertools\nfor i in itertools.count():\n    open(f'/tmp/f{i}', 'wb').write(b'x' * 1048576)\n"
    result = run_python(code, limits=Limits(tmp_bytes=8 * MIB, file_size_bytes=64 * MIB, wall_s=60))
    assert result.verdict is Verdict.FAILED and "No space left on device" in result.stderr
