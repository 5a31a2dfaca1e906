"""Benchmark: edit application on real multi-hunk commits, perturbed the way models err, vs git apply and patch.

    .venv/bin/python -m tests.benchmarks.bench_edits /work/main /tmp/repos/click --max-commits 40

For each commit, SEARCH/REPLACE blocks and a unified diff are derived from the real change, perturbed, and
applied to the parent's files by our engine, `git apply` and `patch --fuzz=3`; each result is compared with
the commit's real post-image: correct, wrong (applied, but not to the real post-image) or rejected.
"""

from __future__ import annotations

import argparse
import difflib
import random
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.patching import Replace, Status, apply_edits, parse_edits

Ops = list[tuple[str, str]]  # (" " | "-" | "+", line)


@dataclass
class Hunk:
    old_start: int
    new_start: int
    ops: Ops


@dataclass
class Commit:
    sha: str
    pre: dict[str, str]
    post: dict[str, str]
    hunks: dict[str, list[Hunk]]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def derive_hunks(pre: list[str], post: list[str], context: int) -> list[Hunk]:
    """Hunks with `context` lines, widened until each SEARCH side occurs once, merged where they overlap."""
    ranges: list[list[int]] = []
    for group in difflib.SequenceMatcher(None, pre, post, autojunk=False).get_grouped_opcodes(context):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        while _count(pre, pre[i1:i2]) > 1 and (i1 > 0 or i2 < len(pre)):
            i1, j1, i2, j2 = max(0, i1 - 1), max(0, j1 - (i1 > 0)), min(len(pre), i2 + 1), j2 + (i2 < len(pre))
        if ranges and i1 <= ranges[-1][1]:
            ranges[-1][1], ranges[-1][3] = max(ranges[-1][1], i2), max(ranges[-1][3], j2)
        else:
            ranges.append([i1, i2, j1, j2])
    return [Hunk(i1, j1, _ops(pre[i1:i2], post[j1:j2])) for i1, i2, j1, j2 in ranges]


def _count(lines: list[str], block: list[str]) -> int:
    n = len(block)
    return sum(1 for i in range(len(lines) - n + 1) if lines[i : i + n] == block) if n else 2


def _ops(a: list[str], b: list[str]) -> Ops:
    out: Ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out += [(" ", x) for x in a[i1:i2]]
        else:
            out += [("-", x) for x in a[i1:i2]] + [("+", x) for x in b[j1:j2]]
    return out


def load_commits(repo: Path, max_commits: int, context: int = 3) -> list[Commit]:
    commits: list[Commit] = []
    for sha in git(repo, "log", "--no-merges", "--format=%H", "-n", str(max_commits * 15)).split():
        commit = _load_commit(repo, sha, context)
        if commit is not None:
            commits.append(commit)
        if len(commits) >= max_commits:
            break
    return commits


def _load_commit(repo: Path, sha: str, context: int) -> Commit | None:
    try:
        names = git(repo, "diff", "--no-renames", "--diff-filter=M", "--name-only", f"{sha}^", sha).split()
    except subprocess.CalledProcessError:
        return None  # a root commit
    suffixes = (".py", ".md", ".rst", ".toml", ".txt", ".cfg", ".yml", ".yaml")
    # Workflow files are refused by policy, not by matching, so they are not part of this corpus.
    names = [n for n in names if n.endswith(suffixes) and not n.startswith(".github/workflows/")]
    if not names or len(names) > 6:
        return None
    try:
        pre = {n: git(repo, "show", f"{sha}^:{n}") for n in names}
        post = {n: git(repo, "show", f"{sha}:{n}") for n in names}
    except (subprocess.CalledProcessError, UnicodeDecodeError):
        return None
    if any(not t.endswith("\n") or "\r" in t or len(t) > 300_000 for t in [*pre.values(), *post.values()]):
        return None
    hunks = {n: derive_hunks(pre[n].split("\n")[:-1], post[n].split("\n")[:-1], context) for n in names}
    if sum(len(h) for h in hunks.values()) < 2:
        return None
    return Commit(sha, pre, post, hunks)


# --- perturbations: each maps (file lines, hunk, rng) to a new hunk, or None when not applicable ---------


def _shift_numbers(lines: list[str], h: Hunk, rng: random.Random) -> Hunk | None:
    shift = rng.choice([-1, 1]) * rng.randint(5, 40)
    return Hunk(max(0, h.old_start + shift), max(0, h.new_start + shift), h.ops)


def _missing_context(lines: list[str], h: Hunk, rng: random.Random) -> Hunk | None:
    ops = list(h.ops)
    start = h.old_start
    if ops and ops[0][0] == " ":
        ops, start = ops[1:], start + 1
    if ops and ops[-1][0] == " ":
        ops = ops[:-1]
    return Hunk(start, h.new_start + (start - h.old_start), ops) if ops != h.ops else None


def _extra_context(lines: list[str], h: Hunk, rng: random.Random) -> Hunk | None:
    old_len = sum(1 for t, _ in h.ops if t != "+")
    before = [(" ", x) for x in lines[max(0, h.old_start - 2) : h.old_start]]
    after = [(" ", x) for x in lines[h.old_start + old_len : h.old_start + old_len + 2]]
    if not before and not after:
        return None
    return Hunk(h.old_start, h.new_start, before + h.ops + after)  # header counts left stale, as models do


def _map_lines(fn: Callable[[str], str]) -> Callable[[list[str], Hunk, random.Random], Hunk | None]:
    def perturb(lines: list[str], h: Hunk, rng: random.Random) -> Hunk | None:
        ops = [(t, fn(x)) for t, x in h.ops]
        return Hunk(h.old_start, h.new_start, ops) if ops != h.ops else None

    return perturb


def _tabs(line: str) -> str:
    lead = len(line) - len(line.lstrip(" "))
    return "\t" * (lead // 4) + " " * (lead % 4) + line.lstrip(" ") if lead >= 4 else line


def _anchored(ops: Ops) -> bool:
    """Both sides of the block keep a non-blank line here, so "..." sits between real anchors."""
    return any(t != "+" and x.strip() for t, x in ops) and any(t != "-" and x.strip() for t, x in ops)


def _elide(lines: list[str], h: Hunk, rng: random.Random) -> Hunk | None:
    ops, out, i = h.ops, [], 0
    while i < len(ops):
        j = i
        while j < len(ops) and ops[j][0] == " ":
            j += 1
        before, after = ops[:i], ops[j:]
        interior = _anchored(before) and _anchored(after)
        if j - i >= 3 and interior:
            indent = ops[i][1][: len(ops[i][1]) - len(ops[i][1].lstrip())]
            out.append((" ", f"{indent}# ... existing code ..."))
            i = j
        else:
            out += ops[i : max(j, i + 1)]
            i = max(j, i + 1)
    return Hunk(h.old_start, h.new_start, out) if out != ops else None


PERTURBATIONS: dict[str, Callable[[list[str], Hunk, random.Random], Hunk | None]] = {
    "none": lambda lines, h, rng: h,
    "wrong_line_numbers": _shift_numbers,
    "missing_context": _missing_context,
    "extra_context": _extra_context,
    "indentation_drift": _map_lines(lambda x: "    " + x if x.strip() else x),
    "tabs_vs_spaces": _map_lines(_tabs),
    "trailing_whitespace": _map_lines(lambda x: x + "  " if x.strip() else x),
    "elided_lines": _elide,
    "crlf": lambda lines, h, rng: h,
}
CONTEXT = {"elided_lines": 8}


def render(hunks: dict[str, list[Hunk]], *, crlf: bool) -> tuple[str, str]:
    """The SEARCH/REPLACE text and the unified diff text of perturbed hunks."""
    sr, diff = [], []
    for path, file_hunks in hunks.items():
        diff += [f"--- a/{path}", f"+++ b/{path}"]
        for h in file_hunks:
            search = [x for t, x in h.ops if t != "+"]
            replace = [x for t, x in h.ops if t != "-"]
            sr += [path, "<<<<<<< SEARCH", *search, "=======", *replace, ">>>>>>> REPLACE", ""]
            diff.append(f"@@ -{h.old_start + 1},{len(search)} +{h.new_start + 1},{len(replace)} @@")
            diff += [t + x for t, x in h.ops]
    eol = "\r\n" if crlf else "\n"
    return eol.join(sr) + eol, eol.join(diff) + eol


def perturbed(commit: Commit, name: str, rng: random.Random) -> dict[str, list[Hunk]] | None:
    source = commit.hunks
    if name in CONTEXT:
        source = {
            p: derive_hunks(commit.pre[p].split("\n")[:-1], commit.post[p].split("\n")[:-1], CONTEXT[name])
            for p in commit.pre
        }
    out, changed = {}, False
    for path, file_hunks in source.items():
        lines = commit.pre[path].split("\n")[:-1]
        new = [PERTURBATIONS[name](lines, h, rng) for h in file_hunks]
        changed = changed or any(n is not None and n != h for n, h in zip(new, file_hunks, strict=True))
        out[path] = [n if n is not None else h for n, h in zip(new, file_hunks, strict=True)]
    return out if changed or name in ("none", "crlf") else None


# --- appliers: each returns "correct", "wrong" or "rejected" ---------------------------------------------


def ours(commit: Commit, text: str) -> str:
    parsed = parse_edits(text)
    report = apply_edits(commit.pre, parsed.edits)
    failed_paths = {r.edit.path for r in report.results if r.status is not Status.APPLIED}
    verdicts = []
    for path in commit.pre:
        result = report.files.get(path, commit.pre[path])
        if path in failed_paths:
            verdicts.append("rejected")
        else:
            verdicts.append("correct" if result == commit.post[path] else "wrong")
    if parsed.errors or not any(isinstance(e, Replace) for e in parsed.edits):
        verdicts.append("rejected")
    return "wrong" if "wrong" in verdicts else ("rejected" if "rejected" in verdicts else "correct")


def external(commit: Commit, diff: str, argv: list[str]) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-edits-") as tmp:
        root = Path(tmp)
        for path, text in commit.pre.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        (root / ".patch").write_bytes(diff.encode())
        done = subprocess.run([*argv, ".patch"], cwd=root, capture_output=True, check=False)
        if done.returncode != 0:
            return "rejected"
        same = all((root / p).read_text() == commit.post[p] for p in commit.pre)
        return "correct" if same else "wrong"


GIT_APPLY = ["git", "apply", "-p1"]
PATCH = ["patch", "-p1", "--fuzz=3", "--batch", "--silent", "--no-backup-if-mismatch", "-r", "/dev/null", "-i"]
TOOLS = ("ours_sr", "ours_diff", "git_apply", "patch_fuzz3")


def run(repos: list[Path], max_commits: int, seed: int) -> dict[str, dict[str, Counter[str]]]:
    rng = random.Random(seed)
    table: dict[str, dict[str, Counter[str]]] = {p: {t: Counter() for t in TOOLS} for p in PERTURBATIONS}
    for repo in repos:
        for commit in load_commits(repo, max_commits):
            for name in PERTURBATIONS:
                hunks = perturbed(commit, name, rng)
                if hunks is None:
                    continue
                sr, diff = render(hunks, crlf=name == "crlf")
                row = table[name]
                row["ours_sr"][ours(commit, sr)] += 1
                row["ours_diff"][ours(commit, diff)] += 1
                row["git_apply"][external(commit, diff, GIT_APPLY)] += 1
                row["patch_fuzz3"][external(commit, diff, PATCH)] += 1
    return table


def report(table: dict[str, dict[str, Counter[str]]], seconds: float) -> None:
    print(f"{'perturbation':<22}" + "".join(f"{t:>28}" for t in TOOLS))
    totals = {t: Counter[str]() for t in TOOLS}
    for name, row in table.items():
        cells = []
        for tool in TOOLS:
            c = row[tool]
            n = sum(c.values()) or 1
            cells.append(
                f"{c['correct']:>4}/{n:<4} {100 * c['correct'] / n:5.1f}% w{c['wrong']:<3} r{c['rejected']:<3}"
            )
            if name != "none":
                totals[tool].update(c)
        print(f"{name:<22}" + "".join(f"{x:>28}" for x in cells))
    print()
    for tool in TOOLS:
        c = totals[tool]
        n = sum(c.values()) or 1
        rate = 100 * c["correct"] / n
        print(f"perturbed total {tool:<12} correct {rate:5.1f}%  wrong {c['wrong']}  rejected {c['rejected']}")
    ours_rate = (totals["ours_sr"]["correct"] + totals["ours_diff"]["correct"]) / 2
    for base in ("git_apply", "patch_fuzz3"):
        ratio = ours_rate / max(1, totals[base]["correct"])
        print(f"ratio ours(mean of sr, diff)/{base} correct on perturbed: {ratio:.2f}x")
    print(f"elapsed {seconds:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--max-commits", type=int, default=40, help="multi-hunk commits per repository")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.monotonic()
    table = run(args.repos, args.max_commits, args.seed)
    report(table, time.monotonic() - started)


if __name__ == "__main__":
    main()
