"""The hand-built seccomp filter: its shape, and its effect inside the sandbox."""

from __future__ import annotations

import platform
import struct
from collections.abc import Callable

import pytest

from sandbox.backends import RunResult
from sandbox.seccomp import DENIED_X86_64, RET_ALLOW, RET_ERRNO, x86_64_filter


def test_every_denied_number_jumps_to_eperm() -> None:
    """Each syscall test in the program jumps exactly to the EPERM return."""
    program = [struct.unpack("=HBBI", x86_64_filter()[i : i + 8]) for i in range(0, len(x86_64_filter()), 8)]
    deny_index = len(program) - 1
    assert program[-1][3] == RET_ERRNO | 1 and program[-2][3] == RET_ALLOW
    tests = [(index, insn) for index, insn in enumerate(program) if insn[3] in set(DENIED_X86_64.values())]
    assert len(tests) == len(DENIED_X86_64)
    for index, (_, jt, _, _) in tests:
        assert index + 1 + jt == deny_index


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter is for x86_64")
def test_ptrace_is_refused_inside(run_python: Callable[..., RunResult]) -> None:
    """Even PTRACE_TRACEME on itself fails with EPERM inside the sandbox."""
    code = (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "print(libc.ptrace(0, 0, None, None), ctypes.get_errno())"
    )
    result = run_python(code)
    assert result.ok and result.stdout == "-1 1\n"
