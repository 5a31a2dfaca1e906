"""Functions, methods and classes of non-Python sources, parsed with tree-sitter.

Grammars come from the per-language wheels (tree-sitter-javascript, tree-sitter-go, ...), imported on first
use of a suffix. A language whose wheel is not installed, or whose grammar this tree-sitter cannot load,
yields no symbols: nothing is ever downloaded. Names follow the Python side: `Client.send` for a method,
1-based inclusive line ranges, outermost first. TypeScript overload signatures and the implementation after them
are one function spanning them all; JS `this.x = function` names `x` as a method of the class or constructor
function `this` stands for.
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

from memory.symbols import Symbol

__all__ = ["GRAMMARS", "extract_ts_symbols", "parser_for"]

GRAMMARS: dict[str, tuple[str, str]] = {
    ".js": ("tree_sitter_javascript", "language"),
    ".jsx": ("tree_sitter_javascript", "language"),
    ".ts": ("tree_sitter_typescript", "language_typescript"),
    ".tsx": ("tree_sitter_typescript", "language_tsx"),
    ".go": ("tree_sitter_go", "language"),
    ".rs": ("tree_sitter_rust", "language"),
    ".java": ("tree_sitter_java", "language"),
    ".c": ("tree_sitter_c", "language"),
    ".h": ("tree_sitter_c", "language"),
    ".cc": ("tree_sitter_cpp", "language"),
    ".cpp": ("tree_sitter_cpp", "language"),
    ".hpp": ("tree_sitter_cpp", "language"),
    ".rb": ("tree_sitter_ruby", "language"),
}
FUNCTIONS = frozenset(
    "function_declaration generator_function_declaration method_definition method_declaration function_item"
    " function_signature_item function_signature function_definition constructor_declaration method singleton_method"
    " method_signature abstract_method_signature variable_declarator assignment_expression pair field_definition"
    " public_field_definition".split()
)
CLASSES = frozenset(
    "class_declaration abstract_class_declaration interface_declaration enum_declaration record_declaration"
    " struct_item enum_item trait_item type_spec class_specifier struct_specifier class module internal_module".split()
)
OVERLOADS = frozenset({"function_signature", "method_signature", "abstract_method_signature"})  # TS, bodiless
SCOPES = frozenset({"impl_item", "mod_item", "namespace_definition"})  # a name prefix, not a symbol
_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
# JS/TS nodes that bind a value to a name, and the field holding the value
_VALUES = {
    "variable_declarator": "value",
    "assignment_expression": "right",
    "pair": "value",
    "field_definition": "value",
    "public_field_definition": "value",
}
_METHODS = frozenset({"method_definition", "pair", "field_definition", "public_field_definition"})
_KEYS = frozenset({"identifier", "property_identifier", "private_property_identifier", "string"})
_WRAPPERS = frozenset(
    "export_statement template_declaration lexical_declaration variable_declaration expression_statement"
    " ambient_declaration".split()
)
_COMMENTS = frozenset({"comment", "line_comment", "block_comment"})
_NAMES = frozenset(
    "identifier field_identifier qualified_identifier destructor_name operator_name type_identifier".split()
)
MAX_DEPTH = 80  # named-node nesting followed; deeper code (minified bundles) is not searched for symbols
MAX_BYTES = 2_000_000


@functools.cache
def parser_for(suffix: str) -> Any:
    """A tree-sitter parser for files ending in `suffix`, or None when its grammar wheel is unavailable."""
    module_name, function = GRAMMARS.get(suffix, ("", ""))
    if not module_name:
        return None
    try:
        import tree_sitter

        module = importlib.import_module(module_name)
        return tree_sitter.Parser(tree_sitter.Language(getattr(module, function)()))
    except (ImportError, AttributeError, ValueError, TypeError):
        return None


def _text(node: Any) -> str:
    return bytes(node.text or b"").decode("utf-8", errors="replace")


def _declarator_name(node: Any) -> str | None:
    """C/C++: follow `declarator` fields (pointers, references, function declarators) down to the name."""
    current = node.child_by_field_name("declarator")
    for _ in range(8):
        if current is None or current.type in _NAMES:
            break
        current = current.child_by_field_name("declarator") or (current.named_children or [None])[0]
    return _text(current).replace("::", ".") if current is not None and current.type in _NAMES else None


def _receiver(node: Any) -> str:
    """Go: `func (c *List[T]) Len()` belongs to `List`."""
    receiver = node.child_by_field_name("receiver")
    kinds = receiver.named_children if receiver is not None else []
    kind = kinds[0].child_by_field_name("type") if kinds else None
    return _text(kind).lstrip("*").split("[", 1)[0].strip() if kind is not None else ""


def _value(node: Any) -> Any:
    """JS/TS: the value a declarator, assignment, object property or class field binds; None for other nodes."""
    field = _VALUES.get(node.type)
    return node.child_by_field_name(field) if field else None


def _key(node: Any) -> str | None:
    """A plain variable or property name (`get`, `'get'`, `#get`); None for patterns and computed keys."""
    if node is None or node.type not in _KEYS:
        return None
    text = _text(node).strip("'\"`") if node.type == "string" else _text(node)
    return text if re.fullmatch(r"[#$\w]+", text) else None


def _member_name(node: Any) -> str | None:
    """`exports.f` and `module.exports.f` are `f`, `Foo.prototype.bar` is `Foo.bar`, `module.exports` itself is "",
    `this.f` stays `this.f` for the walk to resolve; None unless a dotted name."""
    parts: list[str] = []
    while node is not None and node.type == "member_expression":
        prop = node.child_by_field_name("property")
        if prop is None:
            return None
        parts[:0] = [_text(prop)]
        node = node.child_by_field_name("object")
    if node is None or node.type not in ("identifier", "this"):
        return None  # `table[key]`, `make().f`
    parts[:0] = [_text(node)]
    skip = 2 if parts[:2] == ["module", "exports"] else 1 if parts[0] == "exports" else 0
    return ".".join(part for part in parts[skip:] if part != "prototype")


def _object_name(node: Any) -> str | None:
    """The name of an object literal that is the value of a declarator, assignment, named property or field
    ("" for `module.exports = {...}`, whose members are top-level names); None for anonymous objects."""
    parent = node.parent
    if node.type != "object" or parent is None or _value(parent) != node:
        return None
    return _binding_name(parent)


def _binding_name(node: Any) -> str | None:
    """JS/TS: the name a declarator, assignment, property of a named object, or class field gives its value."""
    if node.type == "assignment_expression":
        return _member_name(node.child_by_field_name("left"))
    if node.type == "pair":
        return _key(node.child_by_field_name("key")) if _object_name(node.parent) is not None else None
    return _key(node.child_by_field_name("name") or node.child_by_field_name("property"))


def _scope(node: Any) -> str | None:
    """A name prefix that is no symbol: C++ namespaces, Rust impls and modules, JS objects bound to a name."""
    if node.type in SCOPES:
        return _name(node)
    value = _value(node)
    return _binding_name(node) if value is not None and value.type == "object" else None


def _name(node: Any) -> str | None:
    if node.type == "function_definition":
        return _declarator_name(node)
    if node.type in _VALUES:
        value = _value(node)
        return _binding_name(node) if value is not None and value.type in _FUNCTION_VALUES else None
    if node.type in ("struct_specifier", "class_specifier") and node.child_by_field_name("body") is None:
        return None  # `struct s x;` names a type, it does not define one
    if node.type == "type_spec" and getattr(node.child_by_field_name("type"), "type", "") not in (
        "struct_type",
        "interface_type",
    ):
        return None
    if node.type == "impl_item":
        kind = node.child_by_field_name("type")
        kind = kind.child_by_field_name("type") or kind if kind is not None else None
        return _text(kind) if kind is not None else None
    name = node.child_by_field_name("name")
    if name is None:
        return None
    if name.type == "string":
        return _text(name).strip("'\"") or None  # TS `declare module 'x'`
    prefix = _receiver(node) if node.type == "method_declaration" else ""
    return f"{prefix}.{_text(name)}" if prefix else _text(name).replace("::", ".")


def _qualify(name: str, prefix: str, this: str) -> str:
    """`this.x` goes under the prefix `this` stands for, any other name under `prefix`."""
    return this + name.removeprefix("this.") if name.startswith("this.") else prefix + name


def _this(node: Any, qualname: str, prefix: str, this: str) -> str:
    """JS: what `this` stands for inside `node`: an arrow keeps the outer one, a method or field its object or
    class (`prefix`), a function assigned to `obj.m` (`Foo.prototype.m`, `this.m`) that object, a class or named
    function (a constructor function) itself (`qualname`)."""
    value = _value(node)
    if value is not None and value.type == "arrow_function":
        return this
    if node.type == "assignment_expression" and _member_name(node.child_by_field_name("left")):
        owner = qualname[:-1].rpartition(".")[0]  # `Foo.prototype.init = function` is called on a Foo
        return f"{owner}." if owner else prefix
    return prefix if node.type in _METHODS else qualname


def _anchor(node: Any) -> Any:
    """The outermost wrapper (export, template, `const f = ...`) that starts the definition."""
    while node.parent is not None and node.parent.type in _WRAPPERS:
        node = node.parent
    return node


def _doc(node: Any) -> str:
    """The comment block right above the definition, markers stripped, first paragraph."""
    lines: list[str] = []
    sibling, row = node.prev_named_sibling, node.start_point[0]
    if sibling is None and node.parent is not None and node.parent.start_point[0] == row:
        sibling = node.parent.prev_named_sibling  # Ruby: a class's first method sits in a body node
    while sibling is not None and sibling.type in _COMMENTS and sibling.end_point[0] >= row - 1:
        lines[:0] = _text(sibling).splitlines()
        sibling, row = sibling.prev_named_sibling, sibling.start_point[0]
    cleaned = [re.sub(r"^\s*(/\*\*?|\*/|\*|///?|//!|#)\s?", "", line).rstrip("*/ ").strip() for line in lines]
    return "\n".join(cleaned).strip().split("\n\n", 1)[0]


def _same_name(node: Any, name: str, step: str) -> Any:
    """TS overloads: the function or signature called `name` right before or after (`step`) `node`, across
    comments and export/declare wrappers; None if the neighbour is anything else."""
    sibling = getattr(_anchor(node), f"{step}_named_sibling")
    while sibling is not None and sibling.type in _COMMENTS:
        sibling = getattr(sibling, f"{step}_named_sibling")
    while sibling is not None and sibling.type in _WRAPPERS and sibling.named_children:
        sibling = sibling.named_children[-1]
    return sibling if sibling is not None and sibling.type in FUNCTIONS and _name(sibling) == name else None


def _first_overload(node: Any, name: str) -> Any:
    """TS: the first of the overload signatures right before `node`; `node` itself when there are none."""
    while (before := _same_name(node, name, "prev")) is not None and before.type in OVERLOADS:
        node = before
    return node


def _signature(node: Any, source: bytes) -> str:
    value = _value(node)
    body = (node if value is None else value).child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    head = source[node.start_byte : end].decode("utf-8", errors="replace").splitlines()
    code = head[:1] + [line for line in head[1:] if not line.lstrip().startswith(("#", "//", "/*", "*"))]
    return " ".join(" ".join(code).split())[:200].rstrip(" {=>;")


def _symbol(node: Any, prefix: str, source: bytes, this: str) -> Symbol | None:
    """The symbol `node` defines; an overload signature is left to the same-named definition after it, which
    starts at the first signature and takes its doc and signature."""
    if node.type not in FUNCTIONS and node.type not in CLASSES:
        return None
    name = _name(node)
    if not name or node.type in OVERLOADS and _same_name(node, name, "next") is not None:
        return None
    kind = "function" if node.type in FUNCTIONS else "class"
    first = _first_overload(node, name) if node.type in FUNCTIONS else node
    anchor = _anchor(first)
    start, end = anchor.start_point[0] + 1, node.end_point[0] + 1
    return Symbol(_qualify(name, prefix, this), kind, start, end, _signature(first, source), _doc(anchor))


def _walk(node: Any, prefix: str, source: bytes, out: list[Symbol], depth: int, this: str = "") -> None:
    """Symbols under `node`, named after `prefix`; `this` is the prefix `this.x` names go under."""
    if depth > MAX_DEPTH:
        return
    for child in node.named_children:
        symbol = _symbol(child, prefix, source, this)
        if symbol is not None:
            out.append(symbol)
            inner = f"{symbol.qualname}."
            _walk(child, inner, source, out, depth + 1, _this(child, inner, prefix, this))
        elif scope := _scope(child):
            _walk(child, f"{_qualify(scope, prefix, this)}.", source, out, depth + 1, this)
        else:
            _walk(child, prefix, source, out, depth + 1, this)


def extract_ts_symbols(suffix: str, text: str) -> list[Symbol]:
    """Symbols of a source in a tree-sitter language; [] without its grammar or for oversized files."""
    parser = parser_for(suffix)
    source = text.encode("utf-8", errors="replace")
    if parser is None or len(source) > MAX_BYTES:
        return []
    out: list[Symbol] = []
    _walk(parser.parse(source).root_node, "", source, out, 0)
    return out
