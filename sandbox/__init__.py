"""Isolated execution of untrusted repository code.

Usage:
    backend = make_backend()                                   # bubblewrap
    builder = EnvBuilder(backend=backend, cache_dir=cache, interpreters=find_interpreters(dirs), index=index)
    env = builder.ensure(worktree)                             # cached by (python, manifests, setup commands)
    run = TestRunner(backend=backend).run(env, TestRequest(worktree, node_ids=(...,)))
"""

from sandbox.backends import Backend, Mount, RunResult, SandboxSpec, make_backend
from sandbox.envs import EnvBuilder, Environment
from sandbox.errors import (
    BackendUnavailable,
    EnvironmentBuildError,
    LaunchError,
    PythonNotFound,
    ReportError,
    SandboxError,
)
from sandbox.facts import Distribution, ModuleApi, api_signatures, installed_distributions
from sandbox.index import IndexSettings
from sandbox.junit import Outcome, TestResult
from sandbox.limits import Limits
from sandbox.pythons import Interpreter, find_interpreters, pyenv_dirs
from sandbox.runner import RepeatReport, TestRequest, TestRun, TestRunner
from sandbox.verdict import Verdict

__all__ = [
    "Backend",
    "BackendUnavailable",
    "Distribution",
    "EnvBuilder",
    "Environment",
    "EnvironmentBuildError",
    "IndexSettings",
    "Interpreter",
    "LaunchError",
    "Limits",
    "ModuleApi",
    "Mount",
    "Outcome",
    "PythonNotFound",
    "RepeatReport",
    "ReportError",
    "RunResult",
    "SandboxError",
    "SandboxSpec",
    "TestRequest",
    "TestResult",
    "TestRun",
    "TestRunner",
    "Verdict",
    "api_signatures",
    "find_interpreters",
    "installed_distributions",
    "make_backend",
    "pyenv_dirs",
]
