"""The shape of the product, kept by tests: layers, no import cycle, modules and functions a
reader can hold in mind, and what the wheel ships besides code.

The product is ``lemlist_resource`` (the provider, its client, the inventory) and
``lemlist_emulator`` (the local lemlist). Everything here reads the source with ``ast``;
nothing is imported or run.
"""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PRODUCT = ("lemlist_resource", "lemlist_emulator")

MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 40

#: The provider's layers, lowest first: a module may import its own layer and the ones
#: below, never one above. A new module gets a line here (the test names the ones missing).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Folders (docs/development.md, "Architecture"): the foundation at the top of the
    # package; email_account/ and warmup/ (one per resource), lemlist/ (the client's
    # transport and answers), rules/ (lemlist's rules), config/ (keys, teams), host/ (the
    # SDK's provider host). A folder's modules sit in the layers their imports allow.
    ("foundation", ("lemlist_resource._version", "lemlist_resource.errors",
                    "lemlist_resource.echo", "lemlist_resource.rules.fields",
                    "lemlist_resource.email_account.schema",
                    "lemlist_resource.email_account.adoption",
                    "lemlist_resource.rules.addresses", "lemlist_resource.config.names",
                    "lemlist_resource.host.hostpool", "lemlist_resource.host.hosterrors",
                    "lemlist_resource.host.hostdiff", "lemlist_resource.host.hosthealth",
                    "lemlist_resource.warmup", "lemlist_resource.email_account",
                    "lemlist_resource.lemlist", "lemlist_resource.rules",
                    "lemlist_resource.config", "lemlist_resource.host")),
    ("lemlist's rules", ("lemlist_resource.rules.validation", "lemlist_resource.rules.relays",
                         "lemlist_resource.rules.release",
                         "lemlist_resource.email_account.changes",
                         "lemlist_resource.config.teams", "lemlist_resource.warmup.rules",
                         "lemlist_resource.warmup.health")),
    ("deliverability", ("lemlist_resource.deliverability",
                        "lemlist_resource.deliverability.*")),
    ("transport", ("lemlist_resource.config.settings", "lemlist_resource.lemlist.auth",
                   "lemlist_resource.lemlist.ratelimit", "lemlist_resource.lemlist.redaction")),
    ("client", ("lemlist_resource.lemlist.answers", "lemlist_resource.lemlist.listing",
                "lemlist_resource.lemlist.campaigns",
                "lemlist_resource.lemlist.transport", "lemlist_resource.email_account.client",
                "lemlist_resource.warmup.client", "lemlist_resource.config.teamclients")),
    ("operations", ("lemlist_resource.email_account.verify",
                    "lemlist_resource.email_account.directory",
                    "lemlist_resource.email_account.refresh",
                    "lemlist_resource.email_account.creation",
                    "lemlist_resource.email_account.owners")),
    ("provider", ("lemlist_resource.email_account.provider",
                  "lemlist_resource.warmup.provider")),
    # The path existing states name the provider by (kept importable; see its docstring).
    ("provider's old path", ("lemlist_resource.provider",)),
    ("resource", ("lemlist_resource.email_account.resource",
                  "lemlist_resource.warmup.resource")),
    ("inventory lemwarm", ("lemlist_resource.inventory.lemwarm",
                           "lemlist_resource.inventory.passwords")),
    ("inventory model", ("lemlist_resource.inventory.model",)),
    ("inventory releases", ("lemlist_resource.inventory.releases",)),
    ("stack files", ("lemlist_resource.inventory.yamlread",
                     "lemlist_resource.inventory.stackfile")),
    ("deliverability lint", ("lemlist_resource.inventory.dnslint",)),
    ("lint", ("lemlist_resource.inventory.lint",)),
    ("live listing", ("lemlist_resource.inventory.livelist",)),
    ("live campaigns", ("lemlist_resource.inventory.campaigns",)),
    ("review", ("lemlist_resource.inventory.review", "lemlist_resource.inventory.live")),
    ("inventory entry points", ("lemlist_resource.inventory.program",
                                "lemlist_resource.inventory.__main__")),
    ("inventory package", ("lemlist_resource.inventory",)),
    ("package", ("lemlist_resource",)),
    # The emulator is a world of its own: it never imports the provider (nor the reverse;
    # see test_provider_and_emulator_never_import_each_other), so the two check each other
    # against lemlist's documentation.
    ("emulator parts", ("lemlist_emulator.rules", "lemlist_emulator.store",
                        "lemlist_emulator.faults", "lemlist_emulator.ratelimit",
                        "lemlist_emulator.latency", "lemlist_emulator.teams",
                        "lemlist_emulator.lemwarm", "lemlist_emulator.directory",
                        "lemlist_emulator.plans", "lemlist_emulator.refusals",
                        "lemlist_emulator.campaigns")),
    ("emulator model", ("lemlist_emulator.model", "lemlist_emulator.reading")),
    ("emulator app", ("lemlist_emulator.app",)),
    ("emulator HTTP", ("lemlist_emulator.pipeline", "lemlist_emulator.server")),
    ("emulator", ("lemlist_emulator.controls", "lemlist_emulator.emulator")),
    ("emulator command", ("lemlist_emulator.cli", "lemlist_emulator.__main__")),
    ("emulator package", ("lemlist_emulator",)),
)  # fmt: skip

#: The offline inventory (lint, review, their command line) never loads the Pulumi runtime.
OFFLINE = (
    "lemlist_resource.inventory.yamlread",
    "lemlist_resource.inventory.stackfile",
    "lemlist_resource.inventory.dnslint",
    "lemlist_resource.inventory.lemwarm",
    "lemlist_resource.inventory.passwords",
    "lemlist_resource.inventory.lint",
    "lemlist_resource.inventory.review",
    "lemlist_resource.inventory.releases",
    "lemlist_resource.inventory.live",
    "lemlist_resource.inventory.livelist",
    "lemlist_resource.inventory.campaigns",
    "lemlist_resource.inventory.__main__",
)

#: Known excess, each with who removes it; an entry that no longer exceeds fails the test,
#: so this list only shrinks.
OVERSIZED: dict[str, str] = {}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module
    lines: int

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def _modules() -> dict[str, Module]:
    found: dict[str, Module] = {}
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            text = path.read_text(encoding="utf-8")
            name = ".".join(parts)
            found[name] = Module(name, path, ast.parse(text), len(text.splitlines()))
    return found


MODULES = _modules()


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (annotations, never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _imports(module: Module) -> set[str]:
    """The modules ``module`` imports when it runs (relative imports resolved)."""
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    out: set[str] = set()
    for node in _runtime_nodes(module.tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in MODULES else base)
    return out


GRAPH = {name: {i for i in _imports(m) if i in MODULES} for name, m in MODULES.items()}


def _layer(name: str) -> int | None:
    for index, (_title, patterns) in enumerate(LAYERS):
        if any(fnmatch.fnmatchcase(name, p) for p in patterns):
            return index
    return None


def test_every_product_module_has_a_layer() -> None:
    missing = sorted(name for name in MODULES if _layer(name) is None)
    assert not missing, f"add these modules to LAYERS in {__file__}: {missing}"


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for name, imported in GRAPH.items():
        mine = _layer(name)
        for other in sorted(imported):
            theirs = _layer(other)
            if mine is None or theirs is None:
                continue
            if theirs > mine:
                wrong.append(f"{name} ({LAYERS[mine][0]}) imports {other} ({LAYERS[theirs][0]})")
    assert not wrong, "\n".join(wrong)


def test_provider_and_emulator_never_import_each_other() -> None:
    crossing = [
        f"{name} imports {other}"
        for name, imported in GRAPH.items()
        for other in imported
        if name.split(".")[0] != other.split(".")[0]
    ]
    assert not crossing, "\n".join(crossing)


def test_no_import_cycle() -> None:
    cycles: list[list[str]] = []

    def visit(name: str, path: list[str], done: set[str]) -> None:
        for other in sorted(GRAPH[name]):
            if other in path:
                cycles.append([*path[path.index(other) :], other])
            elif other not in done:
                visit(other, [*path, other], done)
        done.add(name)

    done: set[str] = set()
    for name in sorted(GRAPH):
        if name not in done:
            visit(name, [name], done)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_the_offline_inventory_never_loads_pulumi() -> None:
    for start in OFFLINE:
        seen, todo = {start}, [start]
        while todo:
            name = todo.pop()
            third_party = {i.split(".")[0] for i in _imports(MODULES[name])}
            assert "pulumi" not in third_party, f"{start} loads pulumi through {name}"
            todo += [i for i in GRAPH[name] if i not in seen]
            seen.update(GRAPH[name])


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield prefix + node.name, node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def _oversized() -> dict[str, int]:
    sizes: dict[str, int] = {}
    for name, module in MODULES.items():
        if module.lines > MAX_MODULE_LINES:
            sizes[name] = module.lines
        for qualname, node in _functions(module.tree):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                sizes[f"{name}:{qualname}"] = length
    return sizes


def test_modules_and_functions_stay_small() -> None:
    """A module over ~300 lines holds more than one concern; a function over ~40 lines
    holds more than a reader keeps in mind. Split them."""
    found = _oversized()
    new = {k: v for k, v in found.items() if k not in OVERSIZED}
    assert not new, (
        f"over {MAX_MODULE_LINES} lines per module or {MAX_FUNCTION_LINES} per function: {new}"
    )
    stale = sorted(set(OVERSIZED) - set(found))
    assert not stale, f"no longer oversized: remove from OVERSIZED: {stale}"


def test_the_reader_sees_imports_as_python_runs_them() -> None:
    """A check on the checks: relative and ``from . import`` forms resolve to modules, and
    imports only type checkers see (``if TYPE_CHECKING:``) are left out."""
    provider = "lemlist_resource.email_account.provider"
    assert "lemlist_resource.email_account.client" in GRAPH[provider]
    assert "lemlist_resource.host.hostpool" in GRAPH[provider]  # from ..host import hostpool
    assert "lemlist_resource.rules.fields" in GRAPH["lemlist_resource.rules.validation"]
    assert provider not in GRAPH["lemlist_resource"]


def test_the_wheel_ships_py_typed() -> None:
    """PEP 561: without the marker, downstream mypy treats the package as untyped."""
    assert (ROOT / "lemlist_resource" / "py.typed").is_file()
    package_data = PYPROJECT["tool"]["setuptools"]["package-data"]
    assert "py.typed" in package_data["lemlist_resource"]


def test_the_license_file_is_the_one_the_metadata_names() -> None:
    assert PYPROJECT["project"]["license"] == {"text": "Apache-2.0"}
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_the_client_and_the_rules_import_no_resource_package() -> None:
    """No arrow back up: lemlist/ (the client) and rules/ raise lemlist's words and read
    field names as data; email_account/ and warmup/ phrase the advice."""
    low = ("lemlist_resource.lemlist", "lemlist_resource.rules")
    high = ("lemlist_resource.email_account", "lemlist_resource.warmup")
    wrong = sorted(
        f"{name} imports {other}"
        for name, imported in GRAPH.items()
        if name.startswith(low)
        for other in imported
        if other.startswith(high)
    )
    assert not wrong, "\n".join(wrong)
