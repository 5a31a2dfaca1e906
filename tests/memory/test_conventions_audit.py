"""Audit of the conventions profile: adversarial configs, code, test layouts and titles that gave wrong answers."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from memory.conventions import CONFIG_FILES, changelog_paths, file_stats, fragment_dirs_declared, mine_conventions
from memory.model import FileChange, Unit
from memory.tool_configs import MAX_CONFIG_FOLDERS, config_folder, ruff_extended


def _unit(title: str, author: str = "a", paths: tuple[str, ...] = ()) -> Unit:
    return Unit("s", "", author, 0, title, (), [FileChange(p, p, "A") for p in paths])


def _formatters(configs: dict[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = mine_conventions({}, configs, [])["formatters"]
    return found


# --- code: docstrings, typing, exceptions, logging -------------------------------------------------------------


@pytest.mark.parametrize("text", ["\n" * 40_000, "def f(\n" * 20_000, "class A(\n" * 20_000, "    \n" * 40_000])
def test_file_stats_is_linear_on_pathological_files(text: str) -> None:
    """Many blank lines or unclosed defs once took seconds to minutes (the regexes backtracked quadratically)."""
    start = time.perf_counter()
    file_stats("pkg/big.py", text)
    assert time.perf_counter() - start < 2.0


def test_enormous_files_add_no_code_stats() -> None:
    """A generated multi-megabyte module (tables, bundles) is no sample of the project's style."""
    assert file_stats("pkg/tables.py", "def f(x: int) -> int:\n    return x\n" * 200_000) == {}


@pytest.mark.parametrize(
    ("source", "annotated"),
    [
        ("def f(self, x=dict()) -> None:\n    pass\n", 1.0),
        ('def f(fmt="%H:%M"):\n    pass\n', 0.0),
        ("def f(x: int): return x\n", 1.0),
        ("def f(\n    x=g(h()),\n) -> int:\n    return x\n", 1.0),
    ],
)
def test_annotations_are_read_whatever_the_defaults(source: str, annotated: float) -> None:
    """Call defaults, colons inside strings and one-line defs no longer fool the annotation count."""
    assert mine_conventions({"pkg/m.py": source}, {}, [])["code"]["annotated_ratio"] == annotated


def _doc(body: str) -> str:
    return f'def f(a, b, c, d):\n    """Do it.\n\n{body}\n    """\n'


NUMPY = _doc("    Parameters\n    ----------\n    a : int\n        The a.")
SPHINX = _doc("    :param a: a\n    :param b: b\n    :param c: c\n    :param d: d")
MARKDOWN = _doc("    **Parameters:**\n\n    * **a** - the a")


@pytest.mark.parametrize(
    ("texts", "style"),
    [
        ({"pkg/a.py": NUMPY, "pkg/b.py": NUMPY, "pkg/c.py": NUMPY, "pkg/d.py": SPHINX}, "numpy"),
        ({"pkg/a.py": _doc("    :param int a: the a\n    :rtype: int")}, "sphinx"),
        ({"pkg/a.py": MARKDOWN, "pkg/b.py": MARKDOWN, "pkg/c.py": SPHINX}, "markdown"),
        ({"pkg/a.py": _doc("    Args:\n        a: the a\n\n    Returns:\n        x")}, "google"),
        ({"pkg/a.py": "def f():\n    '''Single quotes.\n\n    Arguments:\n        none\n    '''\n"}, "google"),
    ],
)
def test_docstring_style_counts_docstrings_not_lines(texts: dict[str, str], style: str) -> None:
    """Each docstring votes once: four `:param` lines no longer outvote three NumPy docstrings."""
    assert mine_conventions(texts, {}, [])["code"]["docstring_style"] == style


def test_a_comment_in_a_class_bases_list_keeps_the_bases() -> None:
    """`class X(  # comment` once swallowed the first base, losing the project's exception base."""
    text = (
        "class AppError(  # noqa: N818\n    Exception,\n):\n    pass\n\n\n"
        "class NotFound(AppError):\n    pass\n\n\nclass Gone(\n    AppError,  # type: ignore[misc]\n):\n    pass\n"
    )
    profile = mine_conventions({"pkg/errors.py": text}, {}, [])
    assert profile["exception_bases"] == ["AppError"]
    assert profile["builtin_exception_bases"] == ["Exception"]


def test_the_exceptions_a_project_raises_are_listed() -> None:
    """A flat hierarchy (starlette: HTTPException) still says which exceptions the code raises, most first."""
    text = (
        "class HTTPException(Exception):\n    pass\n\n\ndef f(x):\n    if x:\n        raise HTTPException(404)\n"
        "    if not x:\n        raise HTTPException(400) from None\n    raise ValueError(x)\n\n\n"
        "def g(exc):\n    raise exc\n"
    )
    profile = mine_conventions({"pkg/app.py": text}, {}, [])
    assert profile["raised"] == ["HTTPException", "ValueError"]
    assert profile["raise_from"] == 1


def test_code_that_does_not_parse_adds_no_code_stats_and_no_warning() -> None:
    """Python 2 or template sources and NUL bytes give no syntax tree: no crash, no warning (warnings are errors
    in this suite), and nothing counted from them."""
    text = 'import logging\nlog = logging.getLogger(__name__)\nprint "x"\nx = "\\d"\n'
    profile = mine_conventions({"pkg/old.py": text, "pkg/nul.py": "x = 1\0\n", "pkg/esc.py": 'x = "\\d"\n'}, {}, [])
    assert profile["logging"] == [] and profile["code"]["functions"] == 0


def test_prints_and_loggers_in_docstrings_and_comments_are_not_calls() -> None:
    """httpx shows `print(...)` in docstring examples: those once made print its second logging style."""
    text = (
        'def raise_for_status():\n    """Raise.\n\n    Usage:\n\n        print(f"HTTP Exception")\n    """\n'
        "    # logging.getLogger(__name__) is not used here\n    x = 'print(1)'\n    return x\n"
    )
    assert mine_conventions({"pkg/a.py": text}, {}, [])["logging"] == []


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ({"pkg/a.py": "from loguru import logger\n\nlogger.info('x')\n"}, ["loguru"]),
        ({"pkg/a.py": "from logging import getLogger\n\nlog = getLogger(__name__)\n"}, ["logging.getLogger"]),
        ({"pkg/a.py": "import structlog\n\nlog = structlog.getLogger()\n"}, ["structlog"]),
        (
            {
                "pkg/cli.py": "def main():\n" + "    print('x')\n" * 30,
                "pkg/a.py": "import logging\nlog = logging.getLogger(__name__)\n",
                "pkg/b.py": "import logging\nlog = logging.getLogger(__name__)\n",
            },
            ["logging.getLogger", "print"],
        ),
    ],
)
def test_logging_style_counts_files_and_knows_loguru_and_bare_getlogger(
    texts: dict[str, str], expected: list[str]
) -> None:
    """Each file votes once per style (one chatty CLI module no longer outvotes the project), and loguru and
    `from logging import getLogger` are recognised."""
    assert mine_conventions(texts, {}, [])["logging"] == expected


# --- tests ------------------------------------------------------------------------------------------------------


def test_vendored_tests_are_not_the_projects_tests() -> None:
    """pip vendors certifi with its tests: those once made `src` a test folder."""
    texts = {
        "tests/unit/test_a.py": "def test_a(): pass\n",
        "src/pip/_vendor/certifi/tests/test_certify.py": "def test_c(): pass\n",
        "src/pip/_vendor/certifi/tests/__init__.py": "",
    }
    tests = mine_conventions(texts, {}, [])["tests"]
    assert (tests["files"], tests["dirs"]) == (1, ["tests"])


def test_test_folders_inside_the_package_are_named_whole() -> None:
    """Tests in `src/pkg/tests` live there, not in `src` (the bot places its test in the first folder)."""
    texts = {"src/pkg/tests/test_a.py": "", "src/pkg/tests/test_b.py": "", "src/pkg/core.py": "x = 1\n"}
    assert mine_conventions(texts, {}, [])["tests"]["dirs"] == ["src/pkg/tests"]


def test_naming_counts_test_modules_not_helpers() -> None:
    """`__init__.py`, conftest and helpers are no `*_test.py` files."""
    texts = {
        "tests/__init__.py": "",
        "tests/conftest.py": "",
        "tests/helpers.py": "",
        "tests/utils.py": "",
        "tests/test_a.py": "",
        "tests/test_b.py": "",
    }
    tests = mine_conventions(texts, {}, [])["tests"]
    assert (tests["naming"], tests["conftest"]) == ("test_*", True)


def test_go_style_test_names_are_found() -> None:
    """`*_test.py` modules beside the code give that naming and their folders."""
    texts = {"pkg/a_test.py": "", "pkg/b_test.py": "", "pkg/test_helpers.py": "", "pkg/a.py": "x = 1\n"}
    tests = mine_conventions(texts, {}, [])["tests"]
    assert (tests["naming"], tests["dirs"]) == ("*_test", ["pkg"])


def test_unittest_is_judged_on_test_modules() -> None:
    """Helpers and `__init__.py` files no longer outvote the TestCase modules."""
    case = "import unittest\n\n\nclass T(unittest.TestCase):\n    pass\n"
    texts = {"tests/__init__.py": "", "tests/base.py": "", "tests/util.py": "", "tests/test_a.py": case}
    assert mine_conventions(texts, {}, [])["tests"]["framework"] == "unittest"


# --- titles -----------------------------------------------------------------------------------------------------


def test_bot_titles_are_not_the_projects_style() -> None:
    """httpx's last 300 units held 84 dependabot bumps: `Bump` led the first words and diluted the changelog."""
    units = [_unit("Bump x from 1 to 2", "dependabot[bot]")] * 5 + [
        _unit("[pre-commit.ci] autoupdate", "pre-commit-ci[bot]")
    ]
    units += [_unit("Fix the client", paths=("CHANGES.md",)), _unit("Add a flag", paths=("CHANGES.md",))]
    profile = mine_conventions({}, {}, units, ["CHANGES.md"])
    assert profile["title"]["common_first_words"] == ["Fix", "Add"]
    assert profile["changelog"]["in_units"] == 1.0


def test_case_and_first_words_are_read_after_the_prefix() -> None:
    """`feat: Add x` is capitalized after its prefix, which is what a title written that way needs."""
    units = [_unit("feat: Add x"), _unit("fix(core)!: Drop y"), _unit("docs: Explain z")]
    title = mine_conventions({}, {}, units)["title"]
    assert (title["conventional_commits"], title["capitalized"]) == (1.0, 1.0)
    assert sorted(title["prefixes"]) == ["docs", "feat", "fix"]
    assert sorted(title["common_first_words"]) == ["Add", "Drop", "Explain"]


def test_gitmoji_titles_are_recognised() -> None:
    """`:sparkles: Add x` and `🐛 Fix y` lead with a gitmoji: counted as such, then read as titles."""
    units = [_unit(":sparkles: Add x"), _unit("🐛 Fix y"), _unit("⬆️ feat: Bump z"), _unit("Plain title")]
    title = mine_conventions({}, {}, units)["title"]
    assert (title["gitmoji"], title["capitalized"], title["conventional_commits"]) == (0.75, 1.0, 0.25)
    assert "Add" in title["common_first_words"] and ":sparkles:" not in title["common_first_words"]


# --- configs ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pyproject",
    ["tool = 1\n", "[tool]\nruff = 2\ntowncrier = 'x'\n", "[tool.ruff\n", "\0", "[tool.ruff]\nline-length = [\n"],
)
def test_malformed_pyproject_gives_no_settings_and_no_crash(pyproject: str) -> None:
    """A `tool` that is no table, or TOML that does not parse, is no configuration."""
    profile = mine_conventions({}, {"pyproject.toml": pyproject}, [])
    assert "ruff" not in profile["formatters"]
    assert fragment_dirs_declared({"pyproject.toml": pyproject}) == []


def test_every_value_of_the_profile_is_json() -> None:
    """TOML dates and times in a tool's settings once made the profile unwritable (json.dumps raised)."""
    pyproject = "[tool.ruff]\ntarget-version = 2020-01-01\nline-length = 07:32:00\n[tool.black]\nprofile = {a = 1}\n"
    profile = mine_conventions({}, {"pyproject.toml": pyproject}, [])
    assert json.loads(json.dumps(profile))["formatters"]["ruff"] == {
        "target-version": "2020-01-01",
        "line-length": "07:32:00",
    }


def test_a_byte_order_mark_does_not_hide_pyproject() -> None:
    """Files saved with a BOM are read like the tools read them."""
    assert _formatters({"pyproject.toml": "\ufeff[tool.ruff]\nline-length = 90\n"})["ruff"] == {"line-length": 90}


@pytest.mark.parametrize(
    ("configs", "expected"),
    [
        ({"ruff.toml": 'line-length = 100\n[lint]\nselect = ["E"]\n'}, {"line-length": 100, "select": ["E"]}),
        (
            {".ruff.toml": "line-length = 79\n", "pyproject.toml": "[tool.ruff]\nline-length = 120\n"},
            {"line-length": 79},
        ),
        (
            {"pyproject.toml": '[tool.ruff]\nextend = "../base.toml"\n[tool.ruff.format]\nquote-style = "single"\n'},
            {"extend": "../base.toml", "quote-style": "single"},
        ),
    ],
)
def test_ruff_settings_come_from_the_file_ruff_reads(configs: dict[str, str], expected: dict[str, Any]) -> None:
    """ruff.toml and .ruff.toml (which win over pyproject.toml), `extend` and the formatter's settings."""
    assert _formatters(configs)["ruff"] == expected


BASE = 'line-length = 100\n[lint]\nselect = ["E", "F"]\nignore = ["E203"]\n[format]\nquote-style = "single"\n'


@pytest.mark.parametrize(
    ("configs", "expected"),
    [
        (
            {
                "ruff.toml": 'extend = "config/base.toml"\n[lint]\nextend-select = ["B"]\n',
                "config/base.toml": 'extend = "../shared/pyproject.toml"\n' + BASE,
                "shared/pyproject.toml": '[tool.ruff]\ntarget-version = "py39"\nline-length = 79\n',
            },
            {
                "extend": "config/base.toml",
                "target-version": "py39",
                "line-length": 100,
                "select": ["E", "F"],
                "ignore": ["E203"],
                "quote-style": "single",
                "extend-select": ["B"],
            },
        ),
        (
            {"pyproject.toml": '[tool.ruff]\nextend = "./base.toml"\nselect = ["UP"]\n', "base.toml": BASE},
            {
                "extend": "./base.toml",
                "line-length": 100,
                "select": ["UP"],
                "ignore": ["E203"],
                "quote-style": "single",
            },
        ),
        (
            {
                ".ruff.toml": 'extend = "a.toml"\nline-length = 90\n',
                "a.toml": 'extend = ".ruff.toml"\nindent-style = "tab"\n',
            },
            {"extend": "a.toml", "line-length": 90, "indent-style": "tab"},
        ),
        (
            {
                "ruff.toml": 'extend = "a.toml"\n',
                "a.toml": 'extend = "b.toml"\nline-length = 90\n',
                "b.toml": "line-length = [",
            },
            {"extend": "a.toml", "line-length": 90},
        ),
        ({"ruff.toml": 'extend = "gone.toml"\nline-length = 90\n'}, {"extend": "gone.toml", "line-length": 90}),
        (
            {"ruff.toml": 'extend = "pyproject.toml"\nline-length = 90\n', "pyproject.toml": "[tool.black]\n"},
            {"extend": "pyproject.toml", "line-length": 90},
        ),
        ({"ruff.toml": "extend = 3\nline-length = 90\n", "3": BASE}, {"extend": 3, "line-length": 90}),
    ],
)
def test_ruff_extend_is_followed(configs: dict[str, str], expected: dict[str, Any]) -> None:
    """The files `extend` names (relative to the extending file's folder) lie beneath: the extending file wins,
    `lint` and `format` settings key by key; cycles end, and missing or malformed files or ones without ruff's
    table are passed over with what parsed kept."""
    assert _formatters(configs)["ruff"] == expected


@pytest.mark.parametrize(
    "target",
    ["~/ruff.toml", "/etc/ruff.toml", "../base.toml", "sub/../../base.toml", "$HOME/ruff.toml", "C:/ruff.toml", "."],
)
def test_ruff_extend_out_of_the_tree_is_not_followed(target: str) -> None:
    """Home, absolute and environment paths and paths out of the tree are not the repository's to read."""
    configs = {"ruff.toml": f'extend = "{target}"\nline-length = 90\n', "base.toml": BASE, "etc/ruff.toml": BASE}
    assert _formatters(configs)["ruff"] == {"extend": target, "line-length": 90}
    assert ruff_extended({"ruff.toml": configs["ruff.toml"]}, configs.get) == {}


def test_ruff_extended_reads_what_the_collector_lacks() -> None:
    """A collector of the root config files reads the files ruff's `extend` names in turn, once each, and stops at
    a cycle or a file that is not there; with them in the configs the settings follow `extend`."""
    tree = {
        "pyproject.toml": '[tool.ruff]\nextend = "config/ruff.toml"\n',
        "config/ruff.toml": 'extend = "shared.toml"\n[lint]\nselect = ["E"]\n',
        "config/shared.toml": 'extend = "../pyproject.toml"\nline-length = 100\n',
    }
    asked: list[str] = []

    def read(path: str) -> str | None:
        asked.append(path)
        return tree.get(path)

    extended = ruff_extended({"pyproject.toml": tree["pyproject.toml"]}, read)
    assert extended == {p: tree[p] for p in ("config/ruff.toml", "config/shared.toml")}
    assert asked == ["config/ruff.toml", "config/shared.toml"]
    assert _formatters(tree)["ruff"] == {"extend": "config/ruff.toml", "select": ["E"], "line-length": 100}
    assert ruff_extended({"ruff.toml": 'extend = "gone.toml"\n'}, read) == {}
    assert ruff_extended({"ruff.toml": "line-length = 90\n"}, read) == {}


@pytest.mark.parametrize(
    ("configs", "tool", "expected"),
    [
        (
            {"setup.cfg": "[flake8]\nmax-line-length = 100\nextend-ignore =\n    E203,  # black\n    W503\n"},
            "flake8",
            {"max-line-length": 100, "extend-ignore": "E203, W503"},
        ),
        (
            {".flake8": "[flake8]\nmax_line_length=120\nselect = E,W\n"},
            "flake8",
            {"max_line_length": 120, "select": "E,W"},
        ),
        ({"tox.ini": "[tox]\nenvlist = py3\n[pytest]\ntestpaths = tests\n"}, "pytest", {"testpaths": "tests"}),
        ({"setup.cfg": "[tool:pytest]\npython_files = *_test.py\n"}, "pytest", {"python_files": "*_test.py"}),
        ({"mypy.ini": "[mypy]\nstrict = True\n[mypy-pkg.*]\nignore_errors = True\n"}, "mypy", {"strict": True}),
        ({"setup.cfg": "junk line\n[flake8]\nmax-line-length = 99\n"}, "flake8", {"max-line-length": 99}),
        (
            {"setup.cfg": "[flake8]\nmax-line-length = 99\nbad line\n[flake8]\nselect = E\n"},
            "flake8",
            {"max-line-length": 99, "select": "E"},
        ),
        ({"tox.ini": "[flake8]\nselect\n  E\nmax-line-length = 99\n"}, "flake8", {"max-line-length": 99}),
        ({"setup.cfg": "x\n" + "[\n" * 5000 + "[flake8]\nselect = E\n"}, "flake8", {"select": "E"}),
        (
            {"pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'},
            "pytest",
            {"testpaths": ["tests"]},
        ),
    ],
)
def test_ini_style_tool_settings_are_read(configs: dict[str, str], tool: str, expected: dict[str, Any]) -> None:
    """flake8, pytest, mypy and isort settings in setup.cfg, tox.ini, .flake8 and mypy.ini, even when malformed."""
    assert _formatters(configs)[tool] == expected


@pytest.mark.parametrize(
    ("configs", "length"),
    [
        (
            {"pyproject.toml": '[tool.ruff.lint]\nselect = ["E"]\n', ".editorconfig": "[*]\nmax_line_length = 100\n"},
            100,
        ),
        ({"pyproject.toml": '[tool.ruff.lint]\nselect = ["E"]\n'}, 88),
        ({"pyproject.toml": "[tool.black]\nline-length = 99\n[tool.ruff]\n"}, 99),
        ({"setup.cfg": "[flake8]\nmax-line-length = 120\n"}, 120),
        ({"tox.ini": "[flake8]\nselect = E\n"}, 79),
        ({"pyproject.toml": "[tool.mypy]\nstrict = true\n"}, None),
    ],
)
def test_the_line_length_in_force_is_named(configs: dict[str, str], length: int | None) -> None:
    """The line length the tools enforce: a configured one, else the default of the formatter or linter in use
    (click configures ruff without one: 88, not a reader's guess)."""
    assert _formatters(configs)["line_length"] == length


def test_config_files_present_are_listed() -> None:
    """Which config files the repository has (tox.ini says tox is used even without tool sections)."""
    configs = {"tox.ini": "[tox]\n", "pyproject.toml": "", ".prettierrc": "{}"}
    assert _formatters(configs)["files"] == [".prettierrc", "pyproject.toml", "tox.ini"]


def test_pre_commit_hooks_are_read_however_written() -> None:
    """Quoted ids, ids after other keys and flow mappings are hooks; comments and `hook_id` are not."""
    text = (
        "repos:\n- repo: local\n  hooks:\n  - name: Mypy\n    id: mypy\n  - id: 'black'\n"
        '  - {id: "ruff-check", args: [--fix]}\n  # - id: isort\n  - hook_id: nope\n'
    )
    assert _formatters({".pre-commit-config.yaml": text})["pre-commit"] == ["black", "mypy", "ruff-check"]


@pytest.mark.parametrize(
    ("section", "applies"),
    [
        ("[*.{py,rst}]", True),
        ("[{*.py,*.pyi}]", True),
        ("[**.py]", True),
        ("[*.{js,ts}]", False),
        ("[Makefile]", False),
    ],
)
def test_editorconfig_sections_for_python_files(section: str, applies: bool) -> None:
    """Any section whose glob matches a Python file applies, not only `[*]`, `[*.py]` and `[*.{py,pyi}]`."""
    settings = _formatters({".editorconfig": f"root = true\n{section}\nmax_line_length = 88\n"})[".editorconfig"]
    assert settings == ({"max_line_length": "88"} if applies else {})


# --- changelog --------------------------------------------------------------------------------------------------


def test_towncrier_section_folders_hold_fragments() -> None:
    """Towncrier sections keep fragments in subfolders of the declared directory (`news/core/12.bugfix`)."""
    declared = fragment_dirs_declared({"towncrier.toml": '[tool.towncrier]\ndirectory = "news"\n'})
    assert changelog_paths(["news/core/12.bugfix", "news/12.feature", "src/a.py"], declared) == [
        "news/12.feature",
        "news/core/12.bugfix",
    ]
    units = [_unit("Fix", paths=("news/core/12.bugfix",))]
    profile = mine_conventions({}, {"towncrier.toml": '[tool.towncrier]\ndirectory = "news"\n'}, units)
    assert profile["changelog"]["touched"] == ["news/"]


@pytest.mark.parametrize(
    ("changie", "declared"),
    [
        ("headerPath: header.tpl.md\n", [".changes/unreleased"]),
        ("changesDir: [\n", [".changes/unreleased"]),
        ("- a list\n", [".changes/unreleased"]),
        ("changesDir: 3\nunreleasedDir: ''\n", [".changes/unreleased"]),
        ("changesDir: ./notes/\nunreleasedDir: next\n", ["notes/next"]),
        ("changesDir: /tmp/changes\n", []),
        ("changesDir: ../changes\n", []),
        ("changesDir: .\nunreleasedDir: .\n", []),
        ("!!python/object/apply:os.system ['true']\n", [".changes/unreleased"]),
    ],
)
def test_changie_config_declares_its_unreleased_folder(changie: str, declared: list[str]) -> None:
    """changie's `changesDir`/`unreleasedDir` (defaults `.changes`, `unreleased`) name the fragment folder; a
    malformed config keeps the defaults, a folder out of the tree is none, and YAML is only ever safely loaded."""
    assert fragment_dirs_declared({".changie.yaml": changie}) == declared


def test_changie_fragments_and_released_notes() -> None:
    """Unreleased entries are fragments; released notes under `.changes/` and its dotfiles are not."""
    configs = {".changie.yml": "changesDir: .changes\nunreleasedDir: unreleased\n"}
    paths = [
        ".changes/unreleased/Added-20240101-120000.yaml",
        ".changes/unreleased/.gitkeep",
        ".changes/v1.2.0.md",
        ".changes/1.1.0.md",
        ".changes/header.tpl.md",
        "CHANGELOG.md",
    ]
    assert changelog_paths(paths, fragment_dirs_declared(configs)) == [
        ".changes/unreleased/Added-20240101-120000.yaml",
        "CHANGELOG.md",
    ]
    assert {".changie.yaml", ".changie.yml"} <= set(CONFIG_FILES)  # the tree's collector reads them
    units = [_unit("Add x", paths=(".changes/unreleased/Added-20240101-120000.yaml",))]
    changelog = mine_conventions({}, configs, units, paths)["changelog"]
    assert (changelog["entries"], changelog["touched"], changelog["changie"]) == (
        "fragments",
        [".changes/unreleased/"],
        True,
    )


def test_empty_and_python_free_repositories_give_an_empty_profile() -> None:
    """No files, no configs, no units: every part is present and empty, and it is JSON."""
    profile = mine_conventions({"web/app.js": "x()\n"}, {}, [])
    assert profile["tests"]["naming"] is None and profile["code"]["docstring_style"] == "plain"
    assert profile["tests"]["framework"] is None  # no tests: no framework to guess
    assert profile["title"]["median_length"] == 0 and profile["changelog"]["entries"] is None
    json.dumps(profile)


def test_each_project_folder_of_a_monorepo_gets_its_own_settings() -> None:
    """A folder's settings come from its own files (and what they extend, even above it); the root's stay the
    root's; folders without tool settings, and those past the first MAX_CONFIG_FOLDERS, are left out."""
    configs = {
        "pyproject.toml": "[tool.ruff]\nline-length = 100\n",
        "api/ruff.toml": 'extend = "../pyproject.toml"\n[lint]\nselect = ["E"]\n',
        "web/pyproject.toml": "[tool.black]\nline-length = 79\n",
        "docs/pyproject.toml": '[project]\nname = "docs"\n',
        **{f"z{i:02}/setup.cfg": "[flake8]\nselect = E\n" for i in range(MAX_CONFIG_FOLDERS + 3)},
    }
    found = _formatters(configs)
    assert found["files"] == ["pyproject.toml"] and found["line_length"] == 100
    folders = found["folders"]
    assert folders["api"]["ruff"] == {"extend": "../pyproject.toml", "line-length": 100, "select": ["E"]}
    assert folders["api"]["files"] == ["api/ruff.toml", "pyproject.toml"]
    assert folders["web"]["line_length"] == 79 and "docs" not in folders
    assert len(folders) == MAX_CONFIG_FOLDERS and list(folders)[:3] == ["api", "web", "z00"]


@pytest.mark.parametrize(
    ("path", "folder"),
    [
        ("pyproject.toml", ""),
        ("api/setup.cfg", "api"),
        ("services/api/ruff.toml", "services/api"),
        ("services/api/deep/ruff.toml", None),
        ("tests/data/pyproject.toml", None),
        ("third_party/x/pyproject.toml", None),
        ("api/notes.toml", None),
    ],
)
def test_config_folder_names_where_a_config_file_applies(path: str, folder: str | None) -> None:
    """Config files are read up to two folders down, outside test and vendored folders."""
    assert config_folder(path) == folder
