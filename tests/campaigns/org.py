"""The fixture organisation: `fixlib` 1.0 -> 2.0 (a keyword renamed), a library repo two apps depend on.

    wheels = build_releases(tmp / "wheels")       # fixlib 1.0, 2.0 and acme-platform 0.1 as wheels
    add_org(standin.state, 42, config)           # acme/.github, acme/platform, acme/api, acme/billing, acme/docs

Names are chosen so the alphabetical order (api, billing, platform) is not the dependency order (platform first).
"""

from __future__ import annotations

from pathlib import Path

from tests.campaigns.wheels import build_wheel
from tests.standin.state import StandinState

__all__ = ["APPS", "CONFIG", "LIBRARY", "ORG", "build_releases", "add_org"]

ORG = "acme"
LIBRARY = "acme/platform"
APPS = ("acme/api", "acme/billing")

FIXLIB_1 = '''"""fixlib 1.0"""


def fetch(url, colour="red"):
    """Fetch `url` painted in `colour`."""
    return f"{url}:{colour}"
'''

FIXLIB_2 = '''"""fixlib 2.0"""


def fetch(url, color="red"):
    """Fetch `url` painted in `color`."""
    return f"{url}:{color}"
'''

CHANGELOG = """# Changelog

## 2.0.0 (2025-01-02)

- `fetch(colour=...)` is now `fetch(color=...)`: the keyword is spelled the American way.

## 1.1.0

- Faster fetches.

## 1.0

- First release.
"""

CONFIG = """campaigns:
  - name: fixlib-2
    package: fixlib
    versions: ">=2,<3"
    schedule: "0 9 * * 1"
    limits: {open_prs: 2, prs_per_hour: 10}
    repos: {exclude: ["legacy-*"]}
"""

PLATFORM = """import fixlib


def paint(url):
    return fixlib.fetch(url, colour="blue")
"""

APP = """import fixlib
from acme_platform import paint


def page(url):
    return paint(url) + "|" + fixlib.fetch(url, colour="green")
"""

PLATFORM_TEST = """from acme_platform import paint


def test_paint():
    assert paint("u") == "u:blue"
"""

APP_TEST = """from app import page


def test_page():
    assert page("u") == "u:blue|u:green"
"""


def build_releases(dest: Path) -> Path:
    build_wheel(dest, "fixlib", "1.0", {"fixlib/__init__.py": FIXLIB_1})
    build_wheel(dest, "fixlib", "2.0.0", {"fixlib/__init__.py": FIXLIB_2, "fixlib/CHANGELOG.md": CHANGELOG})
    build_wheel(dest, "acme-platform", "0.1", {"acme_platform/__init__.py": PLATFORM.replace("colour", "color")})
    return dest


def _pyproject(name: str, deps: list[str]) -> str:
    listed = ", ".join(f'"{d}"' for d in deps)
    return f'[project]\nname = "{name}"\nversion = "0.1"\ndependencies = [{listed}]\n'


def add_org(state: StandinState, installation_id: int, config: str = CONFIG) -> None:
    state.add_installation(installation_id, ORG)
    state.add_repo(f"{ORG}/.github", {"organic-pr.yml": config}, installation_id=installation_id)
    state.add_repo(
        LIBRARY,
        {
            "pyproject.toml": _pyproject("acme-platform", ["fixlib==1.0"]),
            "acme_platform/__init__.py": PLATFORM,
            "test_platform.py": PLATFORM_TEST,
        },
        installation_id=installation_id,
    )
    state.add_repo(
        "acme/api",
        {"requirements.txt": "acme-platform>=0.1\nfixlib==1.0\n", "app.py": APP, "test_app.py": APP_TEST},
        installation_id=installation_id,
    )
    state.add_repo(
        "acme/billing",
        {"pyproject.toml": _pyproject("acme-billing", ["acme-platform", "fixlib==1.0"]), "app.py": APP,
         "test_app.py": APP_TEST},
        installation_id=installation_id,
    )  # fmt: skip
    state.add_repo("acme/docs", {"README.md": "# Docs\n"}, installation_id=installation_id)
    state.add_repo("acme/legacy-tool", {"requirements.txt": "fixlib==1.0\n"}, installation_id=installation_id)
