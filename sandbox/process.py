"""The one place where the sandbox starts a process: argv lists only, bounded output, a hard deadline."""

from __future__ import annotations

import os
import resource
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sandbox.errors import LaunchError

TRUNCATION_MARKER = "\n[organic-pr sandbox: output truncated at {limit} bytes; the run was stopped]\n"
EXIT_GRACE_S = 0.5  # how long to keep draining after the main process exits (grandchildren may hold the pipe)
READ_CHUNK = 65536


@dataclass(frozen=True)
class Completed:
    """A finished process. `returncode` follows subprocess: negative means killed by that signal."""

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    output_exceeded: bool
    wall_s: float
    cpu_s: float
    max_rss_bytes: int


@dataclass
class _Capture:
    """Bytes read so far from stdout and stderr, under one shared budget."""

    budget: int
    chunks: dict[int, list[bytes]] = field(default_factory=dict)
    total: int = 0
    exceeded: bool = False
    cut_fd: int = -1

    def add(self, fd: int, data: bytes) -> None:
        room = self.budget - self.total
        if len(data) > room:
            data, self.exceeded, self.cut_fd = data[: max(room, 0)], True, fd
        self.chunks.setdefault(fd, []).append(data)
        self.total += len(data)

    def text(self, fd: int) -> str:
        raw = b"".join(self.chunks.get(fd, []))
        return raw.decode("utf-8", errors="replace")


def run(
    argv: Sequence[str],
    *,
    timeout_s: float,
    env: Mapping[str, str],
    cwd: str | None = None,
    output_bytes: int = 4 * 1024 * 1024,
    pass_fds: Sequence[int] = (),
    on_spawn: Callable[[int], None] | None = None,
) -> Completed:
    """Run `argv` in its own session; kill the whole session at the deadline or when output passes the budget."""
    if isinstance(argv, str):
        raise TypeError("argv must be a sequence of arguments, never a shell string")
    started = time.monotonic()
    proc = _spawn(argv, env=env, cwd=cwd, pass_fds=pass_fds)
    try:
        if on_spawn is not None:
            on_spawn(proc.pid)
        capture, timed_out, status, usage = _supervise(proc, started + timeout_s, output_bytes)
    except BaseException:
        _kill_session(proc.pid)
        proc.kill()
        proc.wait()
        raise
    return _completed(proc, capture, timed_out, status, usage, time.monotonic() - started)


def _spawn(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None, pass_fds: Sequence[int]
) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            cwd=cwd,
            pass_fds=tuple(pass_fds),
            start_new_session=True,
        )
    except OSError as exc:
        raise LaunchError(f"cannot start {argv[0]!r}: {exc}") from exc


def _supervise(
    proc: subprocess.Popen[bytes], deadline: float, output_bytes: int
) -> tuple[_Capture, bool, int, resource.struct_rusage | None]:
    """Drain both pipes until EOF (or exit plus grace), enforcing the deadline and the output budget."""
    assert proc.stdout is not None and proc.stderr is not None  # noqa: S101 - set by Popen(stdout=PIPE)
    capture = _Capture(budget=output_bytes)
    selector = selectors.DefaultSelector()
    for stream in (proc.stdout, proc.stderr):
        os.set_blocking(stream.fileno(), False)
        selector.register(stream.fileno(), selectors.EVENT_READ)
    timed_out, status, usage, exited_at = False, -1, None, None
    with selector:
        while selector.get_map():
            now = time.monotonic()
            if now >= deadline or capture.exceeded:
                timed_out = now >= deadline and not capture.exceeded
                _kill_session(proc.pid)
            elif exited_at is not None and now - exited_at > EXIT_GRACE_S:
                _kill_session(proc.pid)  # leftover grandchildren still hold the pipes open
            _drain(selector, capture, timeout=min(0.05, max(deadline - now, 0.001)))
            if usage is None:
                status, usage = _reap(proc.pid, block=False)
                exited_at = time.monotonic() if usage is not None else None
    if usage is None:
        status, usage = _reap(proc.pid, block=True)
    return capture, timed_out, status, usage


def _drain(selector: selectors.BaseSelector, capture: _Capture, *, timeout: float) -> None:
    for key, _ in selector.select(timeout):
        fd = int(key.fd)
        try:
            data = os.read(fd, READ_CHUNK)
        except BlockingIOError:
            continue
        if not data:
            selector.unregister(fd)
        elif not capture.exceeded:
            capture.add(fd, data)


def _reap(pid: int, *, block: bool) -> tuple[int, resource.struct_rusage | None]:
    """wait4 the main process; (status, rusage) or (-1, None) if it is still running."""
    try:
        got, status, usage = os.wait4(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return -1, None
    if got == 0:
        return -1, None
    return status, usage


def _kill_session(pid: int) -> None:
    """SIGKILL the process group the child leads (start_new_session made it a group leader)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _completed(
    proc: subprocess.Popen[bytes],
    capture: _Capture,
    timed_out: bool,
    status: int,
    usage: resource.struct_rusage | None,
    wall_s: float,
) -> Completed:
    returncode = os.waitstatus_to_exitcode(status) if usage is not None else -signal.SIGKILL
    proc.returncode = returncode  # reaped with wait4 above: tell Popen so it neither waits nor warns
    assert proc.stdout is not None and proc.stderr is not None  # noqa: S101 - set by Popen(stdout=PIPE)
    stdout_fd, stderr_fd = proc.stdout.fileno(), proc.stderr.fileno()
    proc.stdout.close()
    proc.stderr.close()
    return Completed(
        returncode=returncode,
        stdout=_text(capture, stdout_fd),
        stderr=_text(capture, stderr_fd),
        timed_out=timed_out,
        output_exceeded=capture.exceeded,
        wall_s=wall_s,
        cpu_s=(usage.ru_utime + usage.ru_stime) if usage is not None else 0.0,
        max_rss_bytes=(usage.ru_maxrss * 1024) if usage is not None else 0,
    )


def _text(capture: _Capture, fd: int) -> str:
    """The captured text of one stream, with the visible marker where the budget cut it."""
    text = capture.text(fd)
    if capture.exceeded and capture.cut_fd == fd:
        text += TRUNCATION_MARKER.format(limit=capture.budget)
    return text
