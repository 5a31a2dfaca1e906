"""Tests for memory.api_index: use counts are references to each definition, told apart statically."""

from __future__ import annotations

import pytest

from memory.api_index import ApiEntry, api_index, file_refs, search_api
from memory.snapshot import Snapshot

FILES = {
    "pkg/__init__.py": "from .util import helper\nfrom . import shapes\n",
    "pkg/util.py": (
        'def helper(x):\n    """Help with x."""\n    return x\n\n\n'
        "def unused():\n    return helper(1)\n\n\ndef _private():\n    pass\n"
    ),
    "pkg/shapes.py": (
        "class Shape:\n"
        "    def area(self):\n        return 0\n\n"
        '    def describe(self):\n        return f"{self.area()}"\n\n'
        '    def name(self):\n        return "shape"\n\n'
        "    def copy(self):\n        return self\n\n"
        '    def label(self):\n        return "plain"\n\n\n'
        "class Square(Shape):\n"
        "    def __init__(self, side):\n        self.side = side\n\n"
        "    def area(self):\n        return self.side * self.side\n\n"
        '    def name(self):\n        return "square"\n\n'
        "    def grow(self):\n        return self.copy().describe()\n"
    ),
    "pkg/app.py": (
        "import pkg\nimport pkg.util as u\nfrom pkg import helper as h\nfrom pkg.shapes import Square\n\n\n"
        "def run(s):\n"
        '    """Call helper, helper and helper: words in a docstring are no references."""\n'
        "    h(1)\n    h(2)\n    u.helper(3)\n    pkg.helper(4)\n"
        "    sq = Square(2)\n    sq.describe()\n    Square.name(sq)\n    s.name()\n"
        '    sq.label = "big"\n    sq.label()\n'
        "    def inner():\n        return 1\n"
        "    return sq.area() + inner()\n"
    ),
    "tests/test_app.py": "from pkg.util import helper\n\n\ndef test_helper():\n    assert helper(1) == 1\n",
}


def _snapshot() -> Snapshot:
    snapshot = Snapshot()
    for path, text in FILES.items():
        snapshot.put(path, text)
    return snapshot


def _index() -> dict[str, ApiEntry]:
    refs = {path: file_refs(path, text) for path, text in FILES.items()}
    return {e.qualname: e for e in api_index(_snapshot(), refs)}


@pytest.mark.parametrize(
    ("qualname", "uses", "ambiguous"),
    [
        ("helper", 5, False),  # own module 1, alias h 2, u.helper 1, pkg.helper through the re-export 1
        ("unused", 0, False),
        ("run", 0, False),
        ("Shape", 1, False),  # named as Square's base
        ("Square", 2, False),  # Square(2) and Square.name
        ("Shape.describe", 2, False),  # unique name: every `.describe` load counts
        ("Square.grow", 0, False),
        ("Shape.area", 1, True),  # two classes define area: only self.area() inside Shape counts
        ("Square.area", 0, True),  # sq.area() cannot be told apart
        ("Shape.name", 0, True),  # s.name() has an unknown receiver
        ("Square.name", 1, True),  # Square.name(sq) says which class
        ("Shape.copy", 1, True),  # a builtin attribute name; self.copy() in the subclass inherits it
        ("Shape.label", 0, True),  # assigned as data (`sq.label = ...`): the name is not only a method
        ("Square.__init__", 0, True),
    ],
)
def test_uses_count_references_to_that_definition(qualname: str, uses: int, ambiguous: bool) -> None:
    """Each entry's count is the references that resolve to it, a lower bound marked ambiguous when unsure."""
    entry = _index()[qualname]
    assert (entry.uses, entry.ambiguous) == (uses, ambiguous)


def test_private_nested_and_test_code_are_left_out() -> None:
    """Private helpers and functions nested in functions are no API; tests do not count as uses."""
    assert {"_private", "run.inner"}.isdisjoint(_index())
    assert _index()["helper"].uses == 5


def test_entries_carry_signature_and_doc_most_used_first() -> None:
    """Entries keep signature and doc, and come most used first."""
    entries = api_index(_snapshot(), {path: file_refs(path, text) for path, text in FILES.items()})
    assert (entries[0].qualname, entries[0].signature, entries[0].doc) == ("helper", "def helper(x)", "Help with x.")
    assert [e.uses for e in entries] == sorted((e.uses for e in entries), reverse=True)


def test_without_references_nothing_is_counted() -> None:
    """No per-file references means no known use, never a word count."""
    assert {e.uses for e in api_index(_snapshot())} == {0}


def test_overloads_give_one_entry_with_the_implementation() -> None:
    """Overloaded definitions are one entry, with the implementation's signature."""
    text = (
        "from typing import overload\n\n\n@overload\ndef conv(x: int) -> int: ...\n"
        "@overload\ndef conv(x: str) -> str: ...\ndef conv(x):\n    return x\n\n\nconv(1)\n"
    )
    snapshot = Snapshot()
    snapshot.put("pkg/conv.py", text)
    entries = api_index(snapshot, {"pkg/conv.py": file_refs("pkg/conv.py", text)})
    assert [(e.signature, e.uses) for e in entries] == [("def conv(x)", 1)]


@pytest.mark.parametrize(
    ("path", "source", "imports"),
    [
        ("pkg/sub/mod.py", "from .x import y", {"y": "pkg.sub.x.y"}),
        ("pkg/sub/mod.py", "from .. import y as z", {"z": "pkg.y"}),
        ("pkg/sub/__init__.py", "from . import mod", {"mod": "pkg.sub.mod"}),
        ("pkg/a.py", "import os.path\nimport json as j", {"os": "os", "j": "json"}),
        ("pkg/a.py", "def f():\n    from pkg.b import g", {}),  # the function's own: see `targets`
        ("pkg/a.py", "try:\n    from pkg.c import g\nexcept ImportError:\n    from pkg.b import g", {"g": "pkg.b.g"}),
        ("pkg/a.py", "from .... import x", {"x": "....x"}),  # above the top: names no module
    ],
)
def test_imports_resolve_relative_and_aliased_names(path: str, source: str, imports: dict[str, str]) -> None:
    """Each module-level import binds a local name to the dotted target it means, relative ones against the
    file's package; the last of conditional ones wins."""
    assert file_refs(path, source)["imports"] == imports


@pytest.mark.parametrize(("path", "text"), [("pkg/a.js", "function f() {}"), ("pkg/a.py", "def (:")])
def test_other_languages_and_broken_files_have_no_references(path: str, text: str) -> None:
    """Non-Python files and syntax errors give no references."""
    assert file_refs(path, text) == {}


def test_search_finds_helpers_by_their_words() -> None:
    """An issue text about help with values finds the helper."""
    assert [e.qualname for e in search_api(list(_index().values()), "help with x badly")] == ["helper"]


def test_a_stdlib_import_is_not_a_project_module_of_the_same_name() -> None:
    """`import logging` is the standard library even when the project has a `utils/logging.py`."""
    files = {
        "src/pkg/__init__.py": "",
        "src/pkg/utils/__init__.py": "",
        "src/pkg/utils/logging.py": "def getLogger(name):\n    return name\n",
        "src/pkg/a.py": "import logging\n\nlog = logging.getLogger(__name__)\nother = logging.getLogger('x')\n",
        "src/pkg/b.py": "from pkg.utils.logging import getLogger\n\nlog = getLogger('b')\n",
        "src/pkg/c.py": "from .utils import logging\n\nlog = logging.getLogger('c')\n",
    }
    snapshot = Snapshot()
    for path, text in files.items():
        snapshot.put(path, text)
    refs = {path: file_refs(path, text) for path, text in files.items()}
    [entry] = [e for e in api_index(snapshot, refs) if e.qualname == "getLogger"]
    assert entry.uses == 2  # b.py by its package name, c.py by a relative import; not a.py's stdlib calls


def _entries(files: dict[str, str]) -> dict[str, ApiEntry]:
    """The index of `files`, keyed `path:qualname`."""
    snapshot = Snapshot()
    for path, text in files.items():
        snapshot.put(path, text)
    refs = {path: file_refs(path, text) for path, text in files.items()}
    return {f"{e.path}:{e.qualname}": e for e in api_index(snapshot, refs)}


STARS = {
    "pkg/__init__.py": "from .models import *\nfrom .api import *\nfrom .sub import *\n",
    "pkg/models.py": (
        "__all__ = ['Client']\n__all__ += ('Request',)\n\n\n"
        "class Client:\n    def send(self):\n        pass\n\n\n"
        "class Request:\n    pass\n\n\nclass Hidden:\n    pass\n"
    ),
    "pkg/api.py": "from .models import Client\n\n\ndef get():\n    return Client()\n\n\ndef _secret():\n    pass\n",
    "pkg/sub/__init__.py": "from .deep import *\n",
    "pkg/sub/deep.py": (
        "__all__ = ['far']\n__all__.extend(['also'])\n\n\ndef far():\n    pass\n\n\ndef also():\n    pass\n"
    ),
    "app.py": (
        "import pkg\nfrom pkg import Request, get, Hidden, _secret, also\n\n\n"
        "pkg.Client().send()\npkg.Client.send(None)\nRequest()\nget()\nHidden()\n_secret()\npkg.models.Hidden()\n"
        "pkg.far()\nalso()\n"
    ),
    "cli.py": "from pkg.api import *\n\n\ndef main():\n    return get(), Client()\n",
}


@pytest.mark.parametrize(
    ("key", "uses"),
    [
        ("pkg/models.py:Client", 4),  # api.py, app.py twice (`pkg.Client`, `pkg.Client.send`), cli.py through api's *
        ("pkg/models.py:Client.send", 2),
        ("pkg/models.py:Request", 1),  # `__all__ += (...)` exports it
        ("pkg/models.py:Hidden", 1),  # not in `__all__`: only `pkg.models.Hidden` reaches it
        ("pkg/api.py:get", 2),  # `from pkg import get`, and a bare `get()` under `from pkg.api import *`
        ("pkg/sub/deep.py:far", 1),  # two stars deep
        ("pkg/sub/deep.py:also", 1),  # `__all__.extend`
    ],
)
def test_star_imports_re_export_what_the_source_module_exports(key: str, uses: int) -> None:
    """`from .x import *` re-exports x's `__all__` (else its public names), followed through packages."""
    assert _entries(STARS)[key].uses == uses


def test_star_import_cycles_end() -> None:
    """Modules star-importing each other resolve what one of them defines and give up on the rest."""
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg.b import *\n\n\ndef fa():\n    pass\n",
        "pkg/b.py": "from pkg.a import *\nfrom pkg.b import *\n\n\ndef fb():\n    pass\n",
        "pkg/c.py": "import pkg.a\n\npkg.a.fb()\npkg.a.missing()\npkg.b.fa()\nfrom pkg.a import nothing\n\nnothing()\n",
    }
    entries = _entries(files)
    assert (entries["pkg/b.py:fb"].uses, entries["pkg/a.py:fa"].uses) == (1, 1)


@pytest.mark.parametrize(
    ("source", "exported"),
    [
        ("__all__ = ('a', 'b')", ["a", "b"]),
        ("__all__ = ['a'] + ['b']\n__all__.append('c')", ["a", "b", "c"]),
        ("__all__: list[str] = ['a']\nif X:\n    __all__ += ['b']", ["a", "b"]),
        ("__all__ = ['a']\n__all__ = ['b']", ["b"]),
        ("__all__ = other.__all__ + ['b']", ["b"]),  # what cannot be read is left out: a lower bound
    ],
)
def test_all_is_read_from_its_usual_spellings(source: str, exported: list[str]) -> None:
    """`__all__` as a list or tuple, concatenated, extended or appended to, at module level."""
    assert file_refs("pkg/m.py", source)["all"] == exported


def test_a_deeply_nested_expression_does_not_crash() -> None:
    """A long generated expression (a left-deep tree) is walked without recursion."""
    text = "from pkg.util import helper\n\nx = " + " + ".join(["helper.a"] * 2000) + "\n"
    assert file_refs("pkg/gen.py", text)["dotted"] == {"helper.a": 2000}


@pytest.mark.parametrize("source", ["from ... import x", "from .... import x"])
def test_relative_imports_beyond_the_top_resolve_to_nothing(source: str) -> None:
    """More leading dots than packages names no module: never the repository's top-level `x.py`."""
    entries = _entries({"pkg/__init__.py": "", "pkg/a.py": f"{source}\n\nx.run()\n", "x.py": "def run():\n    pass\n"})
    assert entries["x.py:run"].uses == 0


def test_a_stub_beside_its_module_does_not_hide_it() -> None:
    """With `a.pyi` next to `a.py`, imports mean `a.py`, and the stub's duplicate entries are left out."""
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "def run(x):\n    return x\n",
        "pkg/a.pyi": "def run(x: int) -> int: ...\n",
        "pkg/b.py": "from pkg.a import run\n\nrun(1)\n",
    }
    entries = _entries(files)
    assert entries["pkg/a.py:run"].uses == 1
    assert "pkg/a.pyi:run" not in entries


def test_members_of_classes_in_functions_and_of_private_classes_are_left_out() -> None:
    """A class made inside a function is no importable API, nor is anything of a private class."""
    text = (
        "def factory():\n    class Local:\n        def method(self):\n            pass\n    return Local\n\n\n"
        "class _Impl:\n    def run(self):\n        pass\n\n\n"
        "class Pub:\n    def __init_subclass__(cls):\n        pass\n\n    def __init__(self):\n        pass\n"
    )
    assert set(_entries({"pkg/m.py": text})) == {"pkg/m.py:factory", "pkg/m.py:Pub", "pkg/m.py:Pub.__init__"}


def test_a_property_keeps_its_getter_signature_and_says_it_is_one() -> None:
    """A property's setter and deleter do not replace its getter (overloads still keep the implementation), and
    its signature says it is read as an attribute, not called."""
    text = (
        "import functools\n\n\nclass C:\n    @property\n    def x(self) -> int:\n        return 1\n\n"
        "    @x.setter\n    def x(self, value: int) -> None:\n        pass\n\n"
        "    @x.deleter\n    def x(self) -> None:\n        pass\n\n"
        "    @functools.cached_property\n    def y(self) -> str:\n        return ''\n"
    )
    entries = _entries({"pkg/m.py": text})
    assert entries["pkg/m.py:C.x"].signature == "@property def x(self) -> int"
    assert entries["pkg/m.py:C.y"].signature == "@property def y(self) -> str"


def test_local_names_shadow_imports() -> None:
    """Parameters, local assignments, comprehension and lambda variables are not the module-level name."""
    app = (
        "from pkg.util import helper\n\n\n"
        "def by_param(helper):\n    return helper(1)\n\n\n"
        "def by_local():\n    helper = print\n    return helper(2), helper.__name__\n\n\n"
        "def by_default(f=helper):\n    return f\n\n\n"
        "pairs = [helper for helper in range(3)]\nsquare = lambda helper: helper * helper\nhelper(3)\n"
    )
    entries = _entries({"pkg/__init__.py": "", "pkg/util.py": "def helper(x):\n    return x\n", "pkg/app.py": app})
    assert entries["pkg/util.py:helper"].uses == 2  # the default and the module-level call


def test_function_level_imports_are_local_to_their_function() -> None:
    """An import inside a function binds its name there only: no other function's, nor a re-export."""
    files = {
        "pkg/__init__.py": "def lazy():\n    from pkg.legacy import Request\n    return Request\n",
        "pkg/models.py": "class Request:\n    pass\n",
        "pkg/legacy.py": "class Request:\n    pass\n",
        "pkg/app.py": (
            "from pkg.models import Request\n\n\ndef old():\n    from pkg.legacy import Request\n\n"
            "    return Request()\n\n\ndef new():\n    return Request()\n\n\nimport pkg\n\npkg.Request()\n"
        ),
    }
    entries = _entries(files)
    assert (entries["pkg/models.py:Request"].uses, entries["pkg/legacy.py:Request"].uses) == (1, 2)


def test_attribute_stores_still_count_their_receiver() -> None:
    """`helper.calls = 0` uses `helper`, and `self.jar.size = 1` loads `.jar`."""
    files = {
        "pkg/__init__.py": "",
        "pkg/util.py": "def helper():\n    pass\n\n\nclass Box:\n    def jar(self):\n        pass\n",
        "pkg/app.py": "from pkg.util import helper\n\nhelper.calls = 0\n\n\ndef f(box):\n    box.jar.size = 1\n",
    }
    entries = _entries(files)
    assert (entries["pkg/util.py:helper"].uses, entries["pkg/util.py:Box.jar"].uses) == (1, 1)


def test_quoted_annotations_are_references() -> None:
    """`-> "Request"` uses Request as `-> Request` does; `Literal["Request"]` is a string, not a reference."""
    app = (
        "from typing import TYPE_CHECKING, Literal, Optional\n\n"
        "if TYPE_CHECKING:\n    from pkg.models import Request\n\n\n"
        "def f(r: 'Request', s: Optional['list[Request]'] = None) -> \"Request\":\n    return r\n\n\n"
        "kind: Literal['Request'] = 'Request'\n"
    )
    files = {"pkg/__init__.py": "", "pkg/models.py": "class Request:\n    pass\n", "pkg/app.py": app}
    assert _entries(files)["pkg/models.py:Request"].uses == 3


def test_long_docs_and_signatures_are_clipped() -> None:
    """One huge docstring paragraph or default value does not make an entry too big to hand out."""
    text = f'def f(x={list(range(2000))}):\n    """{"word " * 5000}"""\n'
    [entry] = _entries({"pkg/m.py": text}).values()
    assert len(entry.doc) <= 400 and len(entry.signature) <= 1000
    assert entry.doc.endswith("…") and entry.signature.startswith("def f(x=[0, 1, 2")


def test_a_byte_order_mark_does_not_hide_a_files_references() -> None:
    """A file saved with a UTF-8 byte order mark (decoded, it leads the text) is still read."""
    assert file_refs("pkg/a.py", "\ufefffrom pkg.util import helper\n\nhelper()\n")["names"] == {"helper": 1}


def test_dotted_imports_reach_the_module_they_name() -> None:
    """`import a.b.c as d` then `d.f()`, and `import a.b.c` then `a.b.c.f()`, both use `a/b/c.py`'s f."""
    files = {
        "a/__init__.py": "",
        "a/b/__init__.py": "",
        "a/b/c.py": "def f():\n    pass\n",
        "m.py": "import a.b.c as d\nimport a.b.c\n\nd.f()\na.b.c.f()\n",
    }
    assert _entries(files)["a/b/c.py:f"].uses == 2


ALIASES = {
    "pkg/__init__.py": (
        "from pkg._impl import helper as _helper\nimport pkg._impl as _impl\nfrom pkg import _client\n\n"
        "helper = _helper\nshout: object = _impl.shout\nClient = _client.Client\nfetch = _client.get\n"
    ),
    "pkg/_impl.py": "def helper():\n    pass\n\n\ndef shout():\n    pass\n",
    "pkg/_client.py": (
        "class Client:\n    def send(self):\n        pass\n\n\ndef request():\n    pass\n\n\n"
        "get = request\n\n\ndef main():\n    return get()\n"
    ),
    "app.py": (
        "import pkg\nfrom pkg import helper, shout, Client, fetch\n\n\n"
        "helper()\npkg.helper()\nshout()\npkg.shout()\nClient()\npkg.Client.send(None)\nfetch()\npkg._client.get()\n"
    ),
}


@pytest.mark.parametrize(
    ("key", "uses"),
    [
        ("pkg/_impl.py:helper", 2),  # `helper()` and `pkg.helper()`; `helper = _helper` re-exports, like an import
        ("pkg/_impl.py:shout", 2),  # an annotated assignment of a module's attribute
        ("pkg/_client.py:Client", 2),  # `Client()` and `pkg.Client` (in `pkg.Client.send`)
        ("pkg/_client.py:Client.send", 1),
        ("pkg/_client.py:request", 3),  # its own module's `get()`, `fetch()` (an alias of the alias), `_client.get`
    ],
)
def test_assignments_re_export_what_they_name(key: str, uses: int) -> None:
    """`name = other` and `name = module.attr` at module level make `name` mean what they name, followed
    through packages and other modules."""
    assert _entries(ALIASES)[key].uses == uses


@pytest.mark.parametrize(
    ("source", "aliases"),
    [
        ("from pkg.a import f as _f\nimport pkg.b as b\n\nf = _f\ng: object = b.g\n", {"f": "_f", "g": "b.g"}),
        ("from pkg import m\n\na = b\nb = m.c\n", {"a": "b", "b": "m.c"}),  # an alias of an alias
        ("def f():\n    pass\n\n\ng = f\n", {"g": "f"}),
        ("a = b\nb = a\nc = c.d\n", {}),  # cycles name nothing
        ("from pkg import f\n\ng = f\ng = None\nh = f\ndel h\n", {}),  # reassigned: not an alias
        ("from pkg import f\n\ng = f\n\n\ndef reset():\n    global g\n    g = None\n", {}),
        ("from pkg import f\n\na = f()\nb = f[0]\nc, d = f, f\ne = f.x = f\n", {}),  # calls, subscripts, unpacking
        ("from pkg import f\n\nx = f()\ny = x.attr\nz = print\n", {}),  # rooted at a value or a builtin
    ],
)
def test_only_simple_module_level_assignments_are_aliases(source: str, aliases: dict[str, str]) -> None:
    """Aliases are `Name = name.attr` (or annotated) at module level, bound nowhere else, read to their end."""
    assert file_refs("pkg/m.py", source).get("aliases", {}) == aliases


def test_an_alias_is_a_re_export_not_a_use() -> None:
    """The assignment itself names, as an import does, but reads the receiver of `a.b`; a value computed from
    a name still uses it."""
    source = "from pkg.a import f as _f, g, Kind\n\nf = _f\nh = g()\nKW: int = Kind.KEYWORD\n"
    assert file_refs("pkg/m.py", source)["names"] == {"g": 1, "Kind": 1}


def test_values_and_reassigned_names_are_not_followed() -> None:
    """A name bound to a call, a subscript or more than once is a value: using it uses nothing through it."""
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "def f():\n    pass\n",
        "pkg/b.py": "from pkg.a import f\n\nmade = f()\npicked = [f][0]\nagain = f\nagain = None\n",
        "pkg/c.py": "from pkg.b import made, picked, again\n\nmade()\npicked()\nagain()\n",
    }
    assert _entries(files)["pkg/a.py:f"].uses == 3  # the three loads in b.py, none through c.py


def test_alias_cycles_between_modules_end() -> None:
    """Modules aliasing each other's names give up on them, and still resolve what they define."""
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg.b import y as _y\n\nx = _y\n\n\ndef fa():\n    pass\n\n\nz = fa\n",
        "pkg/b.py": "from pkg.a import x as _x\n\ny = _x\n",
        "pkg/c.py": "from pkg.a import x, z\nfrom pkg.b import y\n\nx()\ny()\nz()\n",
    }
    assert _entries(files)["pkg/a.py:fa"].uses == 1


CLASS_BODY = (
    "def helper():\n    pass\n\n\ndef name():\n    pass\n\n\n"
    "class A:\n"
    "    early = helper()\n"  # the class binds `helper` only below: the module's
    "    def helper(self):\n        return helper()\n\n"  # a method's body does not see the class's names
    "    x = helper(None)\n"  # the class's own helper
    "    name = 'a'\n"
    "    label = name.upper()\n"  # the class attribute, not the module's function
    "    sort = staticmethod(lambda: name())\n"  # a lambda's body does not see the class's names
    "    squares = [helper for _ in range(3)]\n\n"  # nor does a comprehension's
    "    class Inner:\n        again = helper()\n\n"  # nor a nested class's body
    "    @property\n    def size(self):\n        return 1\n\n"
    "    @size.setter\n    def size(self, value):\n        pass\n"
)


def test_class_body_names_shadow_module_level_ones() -> None:
    """In a class body, a name the class has bound (above) is its own; in its methods, lambdas, comprehensions
    and nested classes the module-level name is meant."""
    entries = _entries({"pkg/m.py": CLASS_BODY})
    uses = {key.partition(":")[2]: entry.uses for key, entry in entries.items()}
    assert uses == {"helper": 4, "name": 1, "A": 0, "A.helper": 1, "A.size": 0, "A.Inner": 0}


BLOCK_BODY = (
    "def helper():\n    pass\n\n\n"
    "class A:\n"
    "    if True:\n"
    "        early = helper()\n"  # not yet bound in the class: the module's
    "        def helper(self):\n            pass\n"
    "        late = helper(None)\n"  # the class's, bound two lines up in the same block
    "    for item in range(2):\n"
    "        again = item\n"  # the loop's target, bound by the header
    "    try:\n"
    "        sure = helper(1)\n"
    "    except ValueError:\n"
    "        pass\n"
)


def test_class_body_names_bound_in_a_block_are_the_classs_below_them() -> None:
    """A name a class binds inside an `if`, `for`, `with` or `try` block is its own from the next statement of
    that block on, not only from the next statement of the class body."""
    refs = file_refs("pkg/m.py", BLOCK_BODY)
    assert (refs["names"], refs["members"]) == ({"helper": 1}, {"A.helper": 2, "A.item": 1})


def test_class_body_references_are_kept_by_qualname() -> None:
    """A class-level name read in the class body is kept as the class member it means."""
    refs = file_refs("pkg/m.py", CLASS_BODY)
    assert (refs["names"], refs["members"]) == ({"helper": 4, "name": 1}, {"A.helper": 1, "A.name": 1})


def test_class_bases_and_decorators_are_read_outside_the_class() -> None:
    """A class's bases, keywords and decorators are not in its body: its names do not shadow them."""
    source = "from pkg import Base, deco, Meta\n\n\n@deco\nclass Base(Base, metaclass=Meta):\n    Meta = deco = 1\n"
    assert file_refs("pkg/m.py", source)["names"] == {"Base": 1, "deco": 1, "Meta": 1}
