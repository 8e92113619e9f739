"""The public surface: pinned names, a cheap import, import contracts that can fail."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import lakehouse

PACKAGE = Path(lakehouse.__file__).parent
ROOT = PACKAGE.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
HEAVY = ("pandas", "pyarrow.dataset", "pyspark", "sklearn", "deltalake")


def _python(code: str, cwd: Path = ROOT) -> str:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )
    return out.stdout.strip()


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    # lint-imports reads [tool.importlinter] in cwd/pyproject.toml and imports from cwd.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(cwd)},
        timeout=300,
    )


def test_import_contracts_hold() -> None:
    out = _lint_imports(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def _project_copy(tmp_path: Path, files: dict[str, str]) -> Path:
    """The package, jobs/ and pyproject.toml copied under tmp_path, plus ``files``."""
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(PACKAGE, tmp_path / "lakehouse", ignore=skip)
    shutil.copytree(ROOT / "jobs", tmp_path / "jobs", ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_import_contracts_catch_imports_that_break_the_layers(tmp_path: Path) -> None:
    root = _project_copy(
        tmp_path,
        {
            "lakehouse/store/upward.py": "import lakehouse.tracking\n",
            "lakehouse/cli/demo_runner.py": "import lakehouse.demo\n",
            "lakehouse/registry/fluent_user.py": "from lakehouse import get_config\n",
            "lakehouse/feature_store.py": "import lakehouse.store.layout\n",
        },
    )
    out = _lint_imports(root)
    assert out.returncode == 1, out.stdout + out.stderr
    for broken in (
        "lakehouse.store is not allowed to import lakehouse.tracking",
        "lakehouse.cli is not allowed to import lakehouse.demo",
        "lakehouse.registry.fluent_user is not allowed to import lakehouse",
        "lakehouse.feature_store is not allowed to import lakehouse.store",
    ):
        assert broken in out.stdout


def test_a_new_top_level_module_must_be_placed_in_a_layer(tmp_path: Path) -> None:
    root = _project_copy(tmp_path, {"lakehouse/unplaced.py": '"""In no layer."""\n'})
    out = _lint_imports(root)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "- lakehouse.unplaced" in out.stdout


def test_bare_import_loads_no_heavy_library_and_starts_no_jvm() -> None:
    loaded = _python(
        f"""
        import sys
        import lakehouse
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
        """
    )
    assert loaded == "[]"


def test_public_names_load_their_module_on_first_use() -> None:
    out = _python(
        """
        import sys
        import lakehouse as lh
        before = "lakehouse.tracking.fluent" in sys.modules
        start_run = lh.start_run
        print(before, start_run.__module__, "lakehouse.tracking.fluent" in sys.modules)
        print(lh.sklearn.log_model.__module__, lh.spark.__module__, lh.spark_ml.__name__)
        """
    )
    assert out.splitlines() == [
        "False lakehouse.tracking.fluent True",
        "lakehouse.sklearn lakehouse.spark lakehouse.spark_ml",
    ]


def test_lh_spark_stays_the_session_function_after_other_imports() -> None:
    # lakehouse.spark is also a submodule: importing it must not rebind lh.spark.
    out = _python(
        """
        import lakehouse as lh
        import lakehouse.catalog.namespace
        import lakehouse.spark
        print(callable(lh.spark), lh.spark.__name__)
        """
    )
    assert out == "True spark"


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'lakehouse' has no attribute 'nope'"):
        lakehouse.nope  # noqa: B018


def test_lazy_forwards_agree_with_the_type_checking_imports() -> None:
    """Type checkers read the TYPE_CHECKING imports; run time reads _FORWARDS: one truth."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    declared: dict[str, str] = {}
    submodules = set()
    for node in guarded.body:
        assert isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names:
            if node.module == "lakehouse":
                submodules.add(alias.name)
            else:
                declared[alias.name] = node.module
    assert declared == lakehouse._FORWARDS
    assert submodules == set(lakehouse._SUBMODULES)


def test_dir_lists_every_public_name_and_flavor_module() -> None:
    names = dir(lakehouse)
    assert set(lakehouse.__all__) <= set(names)
    assert {"sklearn", "pyfunc", "spark_ml", "models"} <= set(names)


def test_cli_finds_the_demo_by_entry_point_without_importing_it() -> None:
    out = _python(
        """
        import sys
        from click.testing import CliRunner
        from lakehouse.cli import main
        print("lakehouse.demo" in sys.modules)
        result = CliRunner().invoke(main, ["demo", "--help"])
        print(result.exit_code, "lakehouse.demo" in sys.modules)
        print("Run the end-to-end demo pipeline" in result.output)
        """
    )
    assert out.splitlines() == ["False", "0 True", "True"]


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
    "MlflowClient",
    "MlflowException",
    "TrackingClient",
    "ActiveRun",
    "get_artifact_uri",
    "get_parent_run",
    "get_registry_uri",
    "get_tracking_uri",
    "set_experiment_tag",
    "set_experiment_tags",
    "set_registry_uri",
    "set_tracking_uri",
    "active_run",
    "autolog",
    "create_experiment",
    "delete_experiment",
    "delete_run",
    "delete_tag",
    "end_run",
    "evaluate",
    "get_experiment",
    "get_experiment_by_name",
    "get_run",
    "last_active_run",
    "load_table",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_image",
    "log_input",
    "log_inputs",
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
    # logged models (MLflow 3)
    "delete_logged_model_tag",
    "finalize_logged_model",
    "get_logged_model",
    "last_logged_model",
    "log_model_params",
    "search_logged_models",
    "set_logged_model_tags",
    # registry
    "RegistryClient",
    "lineage",
    "register_model",
    "rollback_alias",
    "search_model_versions",
    "search_registered_models",
    "is_tracking_uri_set",
    # batch scoring
    "score_table",
}


def test_public_names_are_pinned() -> None:
    assert set(lakehouse.__all__) == PUBLIC
    assert len(lakehouse.__all__) == len(PUBLIC)
    lazy_modules = ("sklearn", "pyfunc", "spark_ml", "models", "entities", "exceptions")
    for lazy in (*lazy_modules, "tracking", "artifacts", "types"):
        assert getattr(lakehouse, lazy).__name__ == f"lakehouse.{lazy}"
