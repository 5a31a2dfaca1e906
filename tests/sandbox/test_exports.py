"""The public surface of the sandbox package."""

from __future__ import annotations

import subprocess
import sys

import sandbox


def test_all_names_resolve() -> None:
    """Every name in __all__ exists."""
    assert all(hasattr(sandbox, name) for name in sandbox.__all__)


def test_import_has_no_side_effects() -> None:
    """Importing the package neither imports uv nor probes the machine (nothing happens at import time)."""
    code = "import sys, sandbox; print('uv' in sys.modules, 'sandbox.cli' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False False"
