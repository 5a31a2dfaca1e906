"""A classic-BPF seccomp filter for bubblewrap's `--seccomp FD`: refuse the syscalls that reach other processes.

Built by hand (no libseccomp binding needed): check the architecture, refuse x32 syscall numbers, then
answer EPERM for each listed syscall and allow everything else. x86_64 only; other machines get no filter.
"""

from __future__ import annotations

import errno
import os
import platform
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
RET_KILL_PROCESS = 0x80000000
LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
RET_K = 0x06

# x86_64 numbers: tracing and reading other processes, kernel keyrings, perf and bpf, userfaultfd.
DENIED_X86_64 = {
    "ptrace": 101,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "perf_event_open": 298,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kcmp": 312,
    "bpf": 321,
    "userfaultfd": 323,
}


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def x86_64_filter(denied: dict[str, int] = DENIED_X86_64) -> bytes:
    """The filter program as bytes (struct sock_filter[]), ready to be read by bwrap."""
    numbers = sorted(denied.values())
    deny_at = 5 + len(numbers) + 1  # 5 header instructions, one test per number, then ALLOW, then EPERM
    program = [
        _insn(LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        _insn(JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        _insn(RET_K, 0, 0, RET_KILL_PROCESS),
        _insn(LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        _insn(JGE_K, deny_at - 5, 0, X32_SYSCALL_BIT),
    ]
    for index, number in enumerate(numbers):
        here = 5 + index
        program.append(_insn(JEQ_K, deny_at - here - 1, 0, number))
    program.append(_insn(RET_K, 0, 0, RET_ALLOW))
    program.append(_insn(RET_K, 0, 0, RET_ERRNO | errno.EPERM))
    return b"".join(program)


def filter_fd() -> int | None:
    """A memfd holding the filter for this machine, positioned at its start; None where we have none."""
    if platform.machine() != "x86_64":
        return None
    fd = os.memfd_create("organic-pr-seccomp", os.MFD_CLOEXEC)
    os.write(fd, x86_64_filter())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
