"""libcst codemods for the mechanical API changes: moved/renamed paths, renamed and removed keywords (pure).

Usage:
    rules = build_rules(changes, top_level=("flask",), new=new_surface)
    result = apply_codemods(source, rules)
    result.source, result.edits, result.skipped

Only references that resolve, through the file's own imports, to a changed API are touched
(libcst's qualified names follow aliases and shadowing); anything else is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import PositionProvider, QualifiedNameProvider, QualifiedNameSource

from migrations.errors import CodemodError
from migrations.rules import ArgRule, PathRule, Rules


@dataclass(frozen=True)
class CodeEdit:
    """One rewrite: where, which API, which change kind, and the code before and after."""

    line: int
    api: str
    kind: str
    before: str
    after: str


@dataclass(frozen=True)
class Skipped:
    """A reference to a changed API that could not be rewritten safely, and why."""

    line: int
    api: str
    reason: str


@dataclass
class CodemodResult:
    """New source text (unchanged when nothing applied) with what changed and what was left."""

    source: str
    edits: list[CodeEdit] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether any edit applied."""
        return bool(self.edits)


def apply_codemods(source: str, rules: Rules) -> CodemodResult:
    """Rewrite `source` with `rules`; raises CodemodError when it is not valid Python."""
    if not rules.paths and not rules.args:
        return CodemodResult(source)
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise CodemodError(f"cannot parse: {exc}") from exc
    wrapper = cst.MetadataWrapper(module)
    transformer = _Rewriter(rules, wrapper.module)
    new_module = wrapper.visit(transformer)
    if transformer.needed_imports:
        context = CodemodContext()
        for name in sorted(transformer.needed_imports):
            AddImportsVisitor.add_needed_import(context, name)
        new_module = AddImportsVisitor(context).transform_module(new_module)
    result = CodemodResult(new_module.code, transformer.edits, transformer.skipped)
    return result if result.edits else CodemodResult(source, [], transformer.skipped)


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _dotted_node(text: str) -> cst.Attribute | cst.Name:
    node = cst.parse_expression(text)
    if not isinstance(node, cst.Attribute | cst.Name):
        raise CodemodError(f"not a dotted name: {text!r}")
    return node


def _root(node: cst.BaseExpression) -> cst.Name | None:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node if isinstance(node, cst.Name) else None


class _Rewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self, rules: Rules, module: cst.Module) -> None:
        super().__init__()
        self.rules = rules
        self.module = module
        self.edits: list[CodeEdit] = []
        self.skipped: list[Skipped] = []
        self.needed_imports: set[str] = set()
        self.local_renames = self._plan_local_renames(module)
        self.imported_modules = _imported_modules(module)

    # -- bookkeeping -------------------------------------------------------------------------------

    def _line(self, node: cst.CSTNode) -> int:
        return int(self.get_metadata(PositionProvider, node).start.line)

    def _imported_names(self, node: cst.CSTNode) -> list[str]:
        names = self.get_metadata(QualifiedNameProvider, node, set())
        return sorted(q.name for q in names if q.source == QualifiedNameSource.IMPORT)

    def _record(self, node: cst.CSTNode, api: str, kind: str, after: cst.CSTNode | str) -> None:
        text = after if isinstance(after, str) else self.module.code_for_node(after)
        self.edits.append(CodeEdit(self._line(node), api, kind, self.module.code_for_node(node).strip(), text.strip()))

    def _plan_local_renames(self, module: cst.Module) -> dict[str, str]:
        """Unaliased from-imports of renamed names: old local name -> new local name (unless it collides)."""
        taken = {n.value for n in _names(module)}
        renames: dict[str, str] = {}
        for statement in _from_imports(module):
            base = _dotted(statement.module) if statement.module else ""
            for alias in statement.names if isinstance(statement.names, Sequence) else ():
                rule = self.rules.paths.get(f"{base}.{_dotted(alias.name)}")
                if rule is None or alias.asname is not None or rule.import_from is None:
                    continue
                new_name = rule.import_from[1]
                if new_name == _dotted(alias.name) or new_name not in taken:
                    renames[_dotted(alias.name)] = new_name
        return renames

    def _imports_module(self, module: str) -> bool:
        """Whether the file already imports `module` (or a submodule of it, which loads it too)."""
        return any(m == module or m.startswith(module + ".") for m in self.imported_modules)

    # -- imports -----------------------------------------------------------------------------------

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        names = []
        for original, alias in zip(original_node.names, updated_node.names, strict=True):
            found = self.rules.module_rule(_dotted(alias.name))
            if found is None:
                names.append(alias)
                continue
            rule, rest = found
            target = ".".join(p for p in (rule.new, rest) if p)
            names.append(alias.with_changes(name=_dotted_node(target)))
            self._record(original, rule.old, rule.change.kind, f"import {target}")
        return updated_node.with_changes(names=names)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.ImportFrom):
            return updated_node
        statement = updated_node.body[0]
        if statement.relative or statement.module is None or isinstance(statement.names, cst.ImportStar):
            return self._star_import(original_node, updated_node, statement)
        groups = self._regroup(statement, original_node)
        if list(groups) == [_dotted(statement.module)]:
            return updated_node.with_changes(body=[_import_from(statement, *groups.popitem())])
        lines = [
            cst.SimpleStatementLine([_import_from(statement, module, aliases)], leading_lines=())
            for module, aliases in groups.items()
        ]
        lines[0] = lines[0].with_changes(leading_lines=updated_node.leading_lines)
        return cst.FlattenSentinel(lines)

    def _star_import(
        self, original: cst.SimpleStatementLine, line: cst.SimpleStatementLine, statement: cst.ImportFrom
    ) -> cst.SimpleStatementLine:
        if statement.relative or statement.module is None:
            return line
        found = self.rules.module_rule(_dotted(statement.module))
        if found is None:
            return line
        rule, rest = found
        target = ".".join(p for p in (rule.new, rest) if p)
        self._record(original, rule.old, rule.change.kind, f"from {target} import *")
        return line.with_changes(body=[statement.with_changes(module=_dotted_node(target))])

    def _regroup(self, statement: cst.ImportFrom, line: cst.CSTNode) -> dict[str, list[cst.ImportAlias]]:
        if statement.module is None or isinstance(statement.names, cst.ImportStar):
            return {}
        module = _dotted(statement.module)
        found = self.rules.module_rule(module)
        base = ".".join(p for p in (found[0].new, found[1]) if p) if found else module
        if found:
            self._record(line, found[0].old, found[0].change.kind, f"from {base} import ...")
        groups: dict[str, list[cst.ImportAlias]] = {base: []}  # the statement's own module stays first
        for alias in statement.names:
            rule = self.rules.paths.get(f"{module}.{_dotted(alias.name)}")
            target = rule.import_from if rule is not None else None
            if rule is None or target is None:
                groups.setdefault(base, []).append(alias)
                continue
            name, (new_module, new_name) = _dotted(alias.name), target
            asname = alias.asname
            if asname is None and self.local_renames.get(name) != new_name and new_name != name:
                asname = cst.AsName(name=cst.Name(name))
            groups.setdefault(new_module, []).append(alias.with_changes(name=cst.Name(new_name), asname=asname))
            self._record(line, rule.old, rule.change.kind, f"from {new_module} import {new_name}")
        return {module: aliases for module, aliases in groups.items() if aliases}

    # -- references --------------------------------------------------------------------------------

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new_local = self.local_renames.get(original_node.value)
        if new_local is None or new_local == original_node.value:
            return updated_node
        for name in self._imported_names(original_node):
            rule = self.rules.paths.get(name)
            if rule is not None and rule.import_from is not None and rule.import_from[1] == new_local:
                self._record(original_node, rule.old, rule.change.kind, new_local)
                return updated_node.with_changes(value=new_local)
        return updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        for name in self._imported_names(original_node):
            rule = self.rules.paths.get(name)
            if rule is not None:
                return self._rewrite_chain(original_node, updated_node, rule)
        return updated_node

    def _rewrite_chain(self, original: cst.Attribute, updated: cst.Attribute, rule: PathRule) -> cst.BaseExpression:
        root = _root(original)
        bases = self._imported_names(root) if root is not None else []
        if root is None or len(bases) != 1:
            self.skipped.append(Skipped(self._line(original), rule.old, "the chain's root is ambiguous"))
            return updated
        base = bases[0]
        if rule.new == base or rule.new.startswith(base + "."):
            text = root.value + rule.new[len(base) :]
            if rule.module.startswith(base + ".") and not self._imports_module(rule.module):
                self.needed_imports.add(rule.module)  # `import pkg.a` does not load `pkg.b`
        else:
            text = rule.new
            self.needed_imports.add(rule.module)
        new_node = cst.parse_expression(text)
        self._record(original, rule.old, rule.change.kind, text)
        return new_node

    # -- calls -------------------------------------------------------------------------------------

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        arg_rules = [r for n in self._imported_names(original_node.func) for r in self.rules.args.get(n, [])]
        if not arg_rules:
            return updated_node
        args = list(updated_node.args)
        for rule in arg_rules:
            args = self._apply_arg_rule(original_node, args, rule)
        if args and args != list(updated_node.args):
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(args=args)

    def _apply_arg_rule(self, call: cst.Call, args: list[cst.Arg], rule: ArgRule) -> list[cst.Arg]:
        kind = rule.change.kind
        for index, arg in enumerate(args):
            if arg.keyword is not None and arg.keyword.value == rule.parameter:
                if rule.new_name is None:
                    self._record(call, rule.api, kind, f"dropped {rule.parameter}=")
                    return args[:index] + args[index + 1 :]
                if any(a.keyword is not None and a.keyword.value == rule.new_name for a in args):
                    self.skipped.append(Skipped(self._line(call), rule.api, f"{rule.new_name}= already passed"))
                    return args
                self._record(call, rule.api, kind, f"{rule.parameter}= -> {rule.new_name}=")
                return [*args[:index], arg.with_changes(keyword=cst.Name(rule.new_name)), *args[index + 1 :]]
        return self._positional(call, args, rule) if rule.new_name is None else args

    def _positional(self, call: cst.Call, args: list[cst.Arg], rule: ArgRule) -> list[cst.Arg]:
        positional = [a for a in args if a.keyword is None and not a.star]
        if rule.position is None or rule.position >= len(positional):
            return args
        if any(a.star == "*" for a in args) or rule.position != len(positional) - 1:
            self.skipped.append(Skipped(self._line(call), rule.api, f"{rule.parameter} passed positionally mid-call"))
            return args
        self._record(call, rule.api, rule.change.kind, f"dropped positional {rule.parameter}")
        return [a for a in args if a is not positional[-1]]


def _import_from(statement: cst.ImportFrom, module: str, aliases: list[cst.ImportAlias]) -> cst.ImportFrom:
    fixed = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in aliases]
    if statement.lpar is not None and len(fixed) > 1:
        fixed = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in fixed[:-1]] + [
            fixed[-1]
        ]
    return statement.with_changes(module=_dotted_node(module), names=fixed)


def _names(module: cst.Module) -> list[cst.Name]:
    found: list[cst.Name] = []

    class Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

    module.visit(Collect())
    return found


def _imported_modules(module: cst.Module) -> set[str]:
    """Dotted modules named by `import a.b` and `from a.b import c` statements."""
    found: set[str] = set()

    class Collect(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            found.update(_dotted(alias.name) for alias in node.names)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            if node.module is not None and not node.relative:
                found.add(_dotted(node.module))

    module.visit(Collect())
    return found


def _from_imports(module: cst.Module) -> list[cst.ImportFrom]:
    found: list[cst.ImportFrom] = []

    class Collect(cst.CSTVisitor):
        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            found.append(node)

    module.visit(Collect())
    return found
