"""The public surface: pinned names, a cheap import, imports that point down the layers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import lakehouse

PACKAGE = Path(lakehouse.__file__).parent

# DESIGN.md "Layers": a module may import its own layer or those below, never above.
LAYERS = [
    ("lakehouse.errors", "lakehouse.config", "lakehouse.paths", "lakehouse.spark"),
    ("lakehouse.store",),
    ("lakehouse.catalog",),
    ("lakehouse.models",),
    ("lakehouse.tracking",),
    ("lakehouse.registry",),
    ("lakehouse.features", "lakehouse.scoring"),
    (
        "lakehouse.sklearn",
        "lakehouse.pyfunc",
        "lakehouse.spark_ml",
        "lakehouse.model_uris",
        "lakehouse.client",
    ),
    ("lakehouse.cli", "lakehouse.serving", "lakehouse.ui", "lakehouse.demo"),
    ("lakehouse",),
]


def _layer(module: str) -> int:
    best = -1
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                best = rank if prefix != "lakehouse" else (best if best >= 0 else rank)
    return best if best >= 0 else len(LAYERS) - 1


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = _module_name(path)
        if importer == "lakehouse":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name == "lakehouse" or name.startswith("lakehouse."):
                    if name == "lakehouse":
                        continue  # the fluent package itself is checked separately
                    if _layer(name) > _layer(importer):
                        wrong.append(f"{importer} imports {name}")
    assert wrong == []


def test_import_is_cheap_and_starts_no_jvm() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import lakehouse; "
        "print(time.perf_counter() - t); "
        "print('pyspark' in sys.modules, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, heavy = out.stdout.splitlines()
    assert heavy == "False False"
    assert float(seconds) > 0


def test_every_public_name_is_documented() -> None:
    for name in lakehouse.__all__:
        obj = getattr(lakehouse, name)
        if callable(obj):
            assert obj.__doc__, f"lakehouse.{name} has no docstring"


PUBLIC = {
    # errors
    "AlreadyExistsError",
    "CommitConflictError",
    "ConfigError",
    "InvalidArgumentError",
    "InvalidModelError",
    "InvalidNameError",
    "InvalidStateError",
    "LakehouseError",
    "NotEmptyError",
    "NotFoundError",
    "ReservedNameError",
    "SchemaMismatchError",
    "SparkSetupError",
    "TableLocationMissingError",
    # configuration, session, namespace
    "Config",
    "FullName",
    "__version__",
    "get_config",
    "reset_config",
    "set_config",
    "set_home",
    "spark",
    "sql",
    "translate_error",
    "parse_name",
    "create_catalog",
    "create_schema",
    "create_table",
    "describe_table",
    "drop_catalog",
    "drop_schema",
    "drop_table",
    "list_catalogs",
    "list_schemas",
    "list_tables",
    "table",
    # tracking
    "Client",
    "TrackingClient",
    "active_run",
    "create_experiment",
    "delete_experiment",
    "delete_run",
    "delete_tag",
    "end_run",
    "get_experiment",
    "get_experiment_by_name",
    "get_run",
    "last_active_run",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_input",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "search_experiments",
    "search_runs",
    "set_experiment",
    "set_tag",
    "set_tags",
    "start_run",
    # registry
    "RegistryClient",
    "lineage",
    "register_model",
    "rollback_alias",
}


def test_public_names_are_pinned() -> None:
    assert set(lakehouse.__all__) == PUBLIC
    assert len(lakehouse.__all__) == len(PUBLIC)
    for lazy in ("sklearn", "pyfunc", "spark_ml", "models"):
        assert getattr(lakehouse, lazy).__name__ == f"lakehouse.{lazy}"
