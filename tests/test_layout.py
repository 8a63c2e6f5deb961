"""The layout's rules (docs/design.md), read from the source: which part may import which, where
Redis key names live, and who calls Twilio's REST API. A move that breaks one fails here."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "hotline"
PARTS = ("triage", "channels", "store", "outbound", "staff", "dev")
TOP_LEVEL = {"__init__", "wsgi", "cli", "settings", "services", "redact"}

# What each part may import of the hotline besides itself (None: anything).
MAY_IMPORT = {
    "triage": set(),
    "store": {"settings", "triage", "outbound.schedule", "staff.filters"},
    "channels": {"settings", "services", "triage", "store", "outbound", "redact"},
    # The worker also runs the staff area's daily retention job, booked on the worker's queue.
    "outbound": {"settings", "services", "triage", "store", "redact", "staff.retention"},
    "staff": {"settings", "services", "triage", "store", "redact", "outbound.followups"},
    "dev": {"settings", "store"},
}
TWILIO_REST_MODULES = ("twilio.rest", "twilio.http", "twilio.base")
KEY_LITERAL = re.compile(r"^hotline:[a-z]")  # a key name, not a message such as "hotline: bad"
KEY_NAME = re.compile(r"(^|_)(key|KEY|PREFIX)$")


@dataclass(frozen=True)
class Import:
    module: str  # the absolute module imported
    names: tuple[str, ...]  # the names taken from it (empty for `import x`)
    line: int


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _part(dotted: str) -> str:
    """The part of the hotline a module belongs to: a package name, or a top-level module."""
    return dotted.split(".")[1] if dotted.count(".") else "__init__"


def _imports(path: Path) -> list[Import]:
    """Every import that runs (those under `if TYPE_CHECKING:` only name types)."""
    tree = ast.parse(path.read_text(), str(path))
    skipped = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for stmt in node.body
        for child in ast.walk(stmt)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [Import(a.name, (), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(Import(node.module, tuple(a.name for a in node.names), node.lineno))
    return found


def _hotline_targets(imp: Import) -> list[str]:
    """The hotline modules an import reaches (`from hotline.x import y` may name module y)."""
    if imp.module != "hotline" and not imp.module.startswith("hotline."):
        return []
    folder = PACKAGE.parent.joinpath(*imp.module.split("."))
    submodules = [n for n in imp.names if (folder / f"{n}.py").exists() or (folder / n).is_dir()]
    if submodules:  # `from hotline.outbound import followups` reaches followups, not all of it
        return [f"{imp.module}.{n}" for n in submodules]
    return [imp.module]


def _allowed(target: str, allowed: set[str]) -> bool:
    rest = target.removeprefix("hotline.")
    return any(rest == a or rest.startswith(a + ".") for a in allowed)


def test_every_module_lives_in_a_part_or_is_one_of_the_few_at_the_top():
    for path in _modules():
        dotted = _dotted(path)
        if path.parent == PACKAGE:
            assert path.stem in TOP_LEVEL, f"{dotted}: a new top-level module; give it a part"
        else:
            assert _part(dotted) in PARTS, f"{dotted}: not in one of {PARTS}"


@pytest.mark.parametrize("part", PARTS)
def test_a_part_imports_only_what_its_docstring_allows(part):
    allowed = MAY_IMPORT[part] | {part}
    for path in (PACKAGE / part).rglob("*.py"):
        for imp in _imports(path):
            for target in _hotline_targets(imp):
                assert _allowed(target, allowed), (
                    f"{_dotted(path)}:{imp.line} imports {target}; {part}/ may import "
                    f"{sorted(MAY_IMPORT[part]) or 'nothing of the hotline outside itself'}"
                )


def test_the_core_imports_no_web_no_redis_no_twilio():
    for path in (PACKAGE / "triage").rglob("*.py"):
        for imp in _imports(path):
            root = imp.module.split(".")[0]
            assert root not in {"flask", "werkzeug", "redis", "rq", "twilio", "requests"}, (
                f"{_dotted(path)}:{imp.line} imports {imp.module}: the core stays pure"
            )


def test_only_the_cli_imports_the_developer_tools():
    for path in _modules():
        dotted = _dotted(path)
        if dotted in {"hotline.cli"} or _part(dotted) == "dev":
            continue
        for imp in _imports(path):
            for target in _hotline_targets(imp):
                assert not _allowed(target, {"dev"}), (
                    f"{dotted}:{imp.line} imports {target}: only hotline.cli may use hotline.dev"
                )


def test_only_outbound_calls_twilios_rest_api():
    for path in _modules():
        if _part(_dotted(path)) == "outbound":
            continue
        for imp in _imports(path):
            assert not imp.module.startswith(TWILIO_REST_MODULES), (
                f"{_dotted(path)}:{imp.line} imports {imp.module}: only hotline/outbound/ "
                "talks to Twilio's REST API"
            )


def test_only_the_store_names_redis_keys():
    for path in _modules():
        if _part(_dotted(path)) == "store":
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not KEY_LITERAL.match(node.value), (
                    f"{_dotted(path)}:{node.lineno} spells a Redis key {node.value!r}"
                )
        for imp in _imports(path):
            if imp.module.startswith("hotline.store"):
                named = [n for n in imp.names if KEY_NAME.search(n)]
                assert not named, (
                    f"{_dotted(path)}:{imp.line} takes key names {named} from {imp.module}"
                )


def test_the_rules_catch_what_they_forbid(tmp_path):
    """The checks above would see a violation: an import of the store from the core, a key."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from typing import TYPE_CHECKING\n"
        "from hotline.store.keys import conv_key\n"
        "if TYPE_CHECKING:\n    from hotline.staff import filters\n"
        "KEY = 'hotline:state:x'\n"
    )
    imports = _imports(bad)
    assert [i.module for i in imports] == ["typing", "hotline.store.keys"]
    assert not _allowed(_hotline_targets(imports[1])[0], MAY_IMPORT["triage"])
    assert KEY_NAME.search("conv_key") and KEY_LITERAL.match("hotline:state:x")
    assert not KEY_LITERAL.match("hotline: bad setting")
