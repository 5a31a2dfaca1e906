"""Tests for memory.treesitter: functions, methods and classes of non-Python sources, with line spans."""

from __future__ import annotations

import pytest

import memory.treesitter
from memory.engine import Memory
from memory.model import FileChange, Unit
from memory.snapshot import make_entry
from memory.symbols import extract_symbols, symbols_touched

JS = """export class Client extends Base {
  /** Send a request. */
  send(request) {
    return request;
  }
}

const parse = (header) => header.split(";");
"""
TS = """interface Transport {
  open(): void;
}

export function retry<T>(call: () => T): T {
  return call();
}
"""
GO = """package http

// Send sends a request.
func (c *Client) Send(r Request) error {
\treturn nil
}

type Client struct {
\ttimeout int
}
"""
RUST = """pub struct Pool {
    size: usize,
}

impl Pool {
    /// Grow the pool.
    pub fn grow(&mut self) {
        self.size += 1;
    }
}
"""
JAVA = """class Client {
    Client() {}

    int send(int request) {
        return request;
    }
}
"""
C = """struct buffer {
    int size;
};

static int *grow(struct buffer *b) {
    return 0;
}
"""
CPP = """namespace net {
class Socket {
  public:
    void close() {}
};
}

void Socket::open() {
}
"""
RUBY = """module Net
  class Client
    # Send a request.
    def send(request)
      request
    end
  end
end
"""

CASES = [
    ("web/client.js", JS, [("Client", "class", 1, 6), ("Client.send", "function", 3, 5), ("parse", "function", 8, 8)]),
    (
        "web/retry.ts",
        TS,
        [("Transport", "class", 1, 3), ("Transport.open", "function", 2, 2), ("retry", "function", 5, 7)],
    ),
    ("http/client.go", GO, [("Client.Send", "function", 4, 6), ("Client", "class", 8, 10)]),
    ("src/pool.rs", RUST, [("Pool", "class", 1, 3), ("Pool.grow", "function", 7, 9)]),
    (
        "src/Client.java",
        JAVA,
        [("Client", "class", 1, 7), ("Client.Client", "function", 2, 2), ("Client.send", "function", 4, 6)],
    ),
    ("src/buffer.c", C, [("buffer", "class", 1, 3), ("grow", "function", 5, 7)]),
    (
        "src/socket.cpp",
        CPP,
        [("net.Socket", "class", 2, 5), ("net.Socket.close", "function", 4, 4), ("Socket.open", "function", 8, 9)],
    ),
    (
        "lib/net.rb",
        RUBY,
        [("Net", "class", 1, 8), ("Net.Client", "class", 2, 7), ("Net.Client.send", "function", 4, 6)],
    ),
]


@pytest.mark.parametrize(("path", "text", "expected"), CASES, ids=[c[0].rsplit(".", 1)[1] for c in CASES])
def test_symbols_per_language(path: str, text: str, expected: list[tuple[str, str, int, int]]) -> None:
    """Each grammar gives qualified function, method and class names with 1-based inclusive line spans."""
    assert [(s.qualname, s.kind, s.start, s.end) for s in extract_symbols(path, text)] == expected


@pytest.mark.parametrize(
    ("path", "text", "qualname", "doc", "signature"),
    [
        ("http/client.go", GO, "Client.Send", "Send sends a request.", "func (c *Client) Send(r Request) error"),
        ("src/pool.rs", RUST, "Pool.grow", "Grow the pool.", "pub fn grow(&mut self)"),
        ("web/client.js", JS, "Client.send", "Send a request.", "send(request)"),
        ("lib/net.rb", RUBY, "Net.Client.send", "Send a request.", "def send(request)"),
    ],
)
def test_doc_comments_and_signatures(path: str, text: str, qualname: str, doc: str, signature: str) -> None:
    """The comment right above a definition is its doc; the signature stops before the body."""
    symbol = next(s for s in extract_symbols(path, text) if s.qualname == qualname)
    assert (symbol.doc, symbol.signature) == (doc, signature)


def test_missing_grammar_gives_no_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    """A suffix whose grammar wheel is not installed yields [] without downloading or raising."""
    monkeypatch.setitem(memory.treesitter.GRAMMARS, ".zig", ("tree_sitter_zig_not_installed", "language"))
    assert extract_symbols("src/main.zig", "fn main() void {}\n") == []
    assert extract_symbols("src/App.kt", "fun main() {}\n") == []


def test_touched_functions_of_a_go_change() -> None:
    """Hunks inside a Go method name that method, as `ast` does for Python."""
    assert symbols_touched(extract_symbols("http/client.go", GO), [(5, 1, 5, 1)]) == ["Client.Send"]


def test_non_python_functions_get_chunks_and_touches() -> None:
    """A Rust file gets function chunks for embedding, and an online unit records the method it changed."""
    assert list(make_entry("src/pool.rs", RUST).chunks) == ["Pool.grow"]
    memory = Memory()
    memory.set_files({"src/pool.rs": RUST})
    change = FileChange("src/pool.rs", "src/pool.rs", "M", 1, 1, [(8, 1, 8, 1)])
    memory.observe(Unit("b" * 40, "a" * 40, "dev", 0, "Grow faster", (), [change]), {"src/pool.rs": RUST})
    assert memory.history.units[-1].files[0].funcs == ["Pool.grow"]


def _spans(path: str, text: str) -> list[tuple[str, str, int, int]]:
    return [(s.qualname, s.kind, s.start, s.end) for s in extract_symbols(path, text)]


def test_commonjs_exports_name_the_exported_function() -> None:
    """`exports.f = function`, `module.exports.f = function/arrow` and `module.exports = {f: ...}` define `f`."""
    text = """exports.f = function (a) {
  return a;
};
module.exports.g = (x) => x;
module.exports.h = function () {};
module.exports = { i: () => 1, j() {} };
"""
    assert _spans("lib/index.js", text) == [
        ("f", "function", 1, 3),
        ("g", "function", 4, 4),
        ("h", "function", 5, 5),
        ("i", "function", 6, 6),
        ("j", "function", 6, 6),
    ]


def test_prototype_assignment_is_a_method_of_the_constructor() -> None:
    """`Foo.prototype.bar = function` is `Foo.bar`, with the comment above it as its doc."""
    text = "function Foo() {}\n\n// Bar the foo.\nFoo.prototype.bar = function (x) {\n  return x;\n};\n"
    symbols = extract_symbols("lib/foo.js", text)
    assert [(s.qualname, s.kind, s.start, s.end) for s in symbols] == [
        ("Foo", "function", 1, 1),
        ("Foo.bar", "function", 4, 6),
    ]
    assert (symbols[1].doc, symbols[1].signature) == ("Bar the foo.", "Foo.prototype.bar = function (x)")


def test_methods_of_an_object_bound_to_a_name() -> None:
    """Shorthand methods, function and arrow properties of a named object literal are `api.get` etc.;
    properties of an anonymous object (a call argument) are not definitions."""
    text = """const api = {
  get() {},
  post: function () {},
  put: () => {
    return 1;
  },
  base: "/v1",
};
handlers = { close: () => {} };
register({ open: () => {} });
"""
    assert _spans("web/api.js", text) == [
        ("api.get", "function", 2, 2),
        ("api.post", "function", 3, 3),
        ("api.put", "function", 4, 6),
        ("handlers.close", "function", 9, 9),
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("web/a.js", "class A {\n  handle = () => {\n  };\n  static make = async () => {};\n  count = 0;\n}\n"),
        ("web/a.ts", "class A {\n  handle = (): void => {\n  };\n  static make = async () => {};\n  count = 0;\n}\n"),
    ],
    ids=["js", "ts"],
)
def test_class_field_arrows_are_methods(path: str, text: str) -> None:
    """Arrow functions held by class fields are methods; plain data fields are not."""
    assert _spans(path, text) == [("A", "class", 1, 6), ("A.handle", "function", 2, 3), ("A.make", "function", 4, 4)]


def test_typescript_namespaces_prefix_their_members() -> None:
    """`namespace NS`, `module NS` and dotted `namespace A.B` put their name before their members'."""
    text = """namespace NS {
  export function f() {}
}
module M {
  function g() {}
}
namespace A.B {
  export const h = () => 1;
}
"""
    assert _spans("src/ns.ts", text) == [
        ("NS", "class", 1, 3),
        ("NS.f", "function", 2, 2),
        ("M", "class", 4, 6),
        ("M.g", "function", 5, 5),
        ("A.B", "class", 7, 9),
        ("A.B.h", "function", 8, 8),
    ]


def test_ambient_module_names_lose_their_quotes() -> None:
    """`declare module 'x'` (or "x") is named x, and its members x.Member."""
    text = "declare module 'x' {\n  export class Client {}\n}\ndeclare module \"y\" {}\n"
    assert _spans("types/x.d.ts", text) == [("x", "class", 1, 3), ("x.Client", "class", 2, 2), ("y", "class", 4, 4)]


def test_ordinary_javascript_forms_are_unchanged() -> None:
    """Declarations, class methods, `const` arrows, nested functions and anonymous-object methods keep their names;
    `this.go` in a constructor function is its method; subscripts and `module.exports` itself define nothing."""
    text = """function outer() {
  function inner() {}
}
function* gen() {}
class Box {
  open() {}
}
const add = (a, b) => a + b;
export default { run() {} };
function Ctor() {
  this.go = function () {};
}
table[key] = function () {};
module.exports = function () {};
"""
    assert _spans("web/plain.js", text) == [
        ("outer", "function", 1, 3),
        ("outer.inner", "function", 2, 2),
        ("gen", "function", 4, 4),
        ("Box", "class", 5, 7),
        ("Box.open", "function", 6, 6),
        ("add", "function", 8, 8),
        ("run", "function", 9, 9),
        ("Ctor", "function", 10, 12),
        ("Ctor.go", "function", 11, 11),
    ]


def test_ambient_declare_function_is_a_function() -> None:
    """`declare function` is a function, at the top level, exported, and inside `declare module` / `namespace`."""
    text = """declare function f(a: string): void;
declare module 'x' {
  export function g(): void;
}
declare namespace NS {
  function h(a: number): string;
}
export declare function e(): void;
"""
    assert _spans("types/x.d.ts", text) == [
        ("f", "function", 1, 1),
        ("x", "class", 2, 4),
        ("x.g", "function", 3, 3),
        ("NS", "class", 5, 7),
        ("NS.h", "function", 6, 6),
        ("e", "function", 8, 8),
    ]


OVERLOADED = """/** Parse a value. */
export function parse(a: string): number;
// numbers pass through
export function parse(a: number): number;
export function parse(a: any): number {
  return Number(a);
}
function other() {}
class Reader {
  read(n: number): string;
  read(): string;
  read(n?: number) {
    return "";
  }
  close(): void {}
}
"""


def test_overload_signatures_and_implementation_are_one_function() -> None:
    """Overload signatures and the implementation after them are one symbol from the first signature (its doc and
    signature) to the implementation's end, so a change to any overload names the function once."""
    symbols = extract_symbols("src/parse.ts", OVERLOADED)
    assert [(s.qualname, s.kind, s.start, s.end) for s in symbols] == [
        ("parse", "function", 2, 7),
        ("other", "function", 8, 8),
        ("Reader", "class", 9, 16),
        ("Reader.read", "function", 10, 14),
        ("Reader.close", "function", 15, 15),
    ]
    assert (symbols[0].doc, symbols[0].signature) == ("Parse a value.", "function parse(a: string): number")
    assert symbols_touched(symbols, [(4, 1, 4, 1)]) == ["parse"]
    assert symbols_touched(symbols, [(11, 1, 11, 1)]) == ["Reader.read"]


def test_overload_signatures_without_implementation_are_one_function() -> None:
    """In declaration files, interfaces and abstract classes, a run of same-named signatures is one symbol."""
    text = """declare function on(event: "open"): void;
declare function on(event: "close"): void;
interface Emitter {
  emit(event: "open"): void;
  emit(event: "close"): void;
  off(): void;
}
declare class Socket {
  send(data: string): void;
  send(data: Uint8Array): void;
}
abstract class Base {
  abstract run(a: string): void;
  abstract run(): void;
}
"""
    assert _spans("types/emitter.d.ts", text) == [
        ("on", "function", 1, 2),
        ("Emitter", "class", 3, 7),
        ("Emitter.emit", "function", 4, 5),
        ("Emitter.off", "function", 6, 6),
        ("Socket", "class", 8, 11),
        ("Socket.send", "function", 9, 10),
        ("Base", "class", 12, 15),
        ("Base.run", "function", 13, 14),
    ]


THIS_METHODS = """function Foo() {
  this.bar = function () {
    return 1;
  };
  this.baz = () => {};
  this.count = 0;
}
class A {
  constructor() {
    this.handle = () => {};
  }
  start() {
    const later = () => {
      this.stop = function () {};
    };
  }
}
const Ctor = function () {
  this.handlers = { close() {} };
};
Foo.prototype.init = function () {
  this.reset = function () {
    this.clear = () => {};
  };
};
"""


@pytest.mark.parametrize("path", ["web/this.js", "web/this.ts"], ids=["js", "ts"])
def test_functions_assigned_to_this_are_methods(path: str) -> None:
    """`this.x = function/arrow` in a constructor function is `Foo.x`; in a class constructor or method (arrows
    keep the method's `this`) it is `A.x`, not `A.constructor.x`; `this.o = {...}` names its methods `Ctor.o.m`;
    in a function assigned to `Foo.prototype.m` or `this.m`, `this` is still a Foo (`Foo.x`, not `Foo.m.x`)."""
    assert _spans(path, THIS_METHODS) == [
        ("Foo", "function", 1, 7),
        ("Foo.bar", "function", 2, 4),
        ("Foo.baz", "function", 5, 5),
        ("A", "class", 8, 17),
        ("A.constructor", "function", 9, 11),
        ("A.handle", "function", 10, 10),
        ("A.start", "function", 12, 16),
        ("A.start.later", "function", 13, 15),
        ("A.stop", "function", 14, 14),
        ("Ctor", "function", 18, 20),
        ("Ctor.handlers.close", "function", 19, 19),
        ("Foo.init", "function", 21, 25),
        ("Foo.reset", "function", 22, 24),
        ("Foo.clear", "function", 23, 23),
    ]
