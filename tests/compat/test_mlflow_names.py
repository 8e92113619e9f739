"""Every name MLflow's tracking, models and registry docs use, imported from lakehouse.

``PRESENT`` must import; ``MISSING`` lists what is still absent (the note on issue 12
lists the same): when one is added, this test fails until it moves to ``PRESENT``.
"""

from __future__ import annotations

import importlib

import pytest

import lakehouse as mlflow

PRESENT = {
    "lakehouse": (
        "is_tracking_uri_set search_registered_models search_model_versions "
        "start_run end_run active_run last_active_run ActiveRun log_param log_params "
        "log_metric log_metrics set_tag set_tags delete_tag log_artifact log_artifacts "
        "log_text log_dict log_figure log_table log_input set_experiment create_experiment "
        "get_experiment get_experiment_by_name search_experiments delete_experiment "
        "set_experiment_tag set_experiment_tags get_run get_parent_run delete_run search_runs "
        "register_model set_tracking_uri get_tracking_uri set_registry_uri get_registry_uri "
        "get_artifact_uri MlflowClient MlflowException log_image log_inputs "
        # MLflow 3 logged models
        "get_logged_model search_logged_models set_logged_model_tags last_logged_model "
        "delete_logged_model_tag finalize_logged_model log_model_params "
        # autologging
        "autolog load_table evaluate"
    ),
    "lakehouse.entities": (
        "ViewType Run RunInfo RunData Metric Param RunTag Experiment ExperimentTag RunStatus "
        "LifecycleStage FileInfo Dataset DatasetInput InputTag LoggedModel LoggedModelStatus "
        "RunInputs "
        "SourceType ModelVersion RegisteredModel"
    ),
    "lakehouse.models": (
        "infer_signature ModelSignature Model ModelInfo set_signature validate_serving_input "
        "convert_input_example_to_serving_input"
    ),
    "lakehouse.models.signature": "ModelSignature infer_signature",
    "lakehouse.pyfunc": (
        "load_model log_model save_model PythonModel PythonModelContext spark_udf PyFuncModel"
    ),
    "lakehouse.sklearn": "log_model load_model save_model autolog",
    "lakehouse.tracking": "MlflowClient",
    "lakehouse.types": "Schema ColSpec TensorSpec DataType ParamSchema ParamSpec",
    "lakehouse.artifacts": "download_artifacts load_text load_dict",
    "lakehouse.exceptions": "MlflowException RestException INVALID_PARAMETER_VALUE",
    "lakehouse.data": (
        "from_pandas from_numpy from_spark load_delta get_source Dataset DatasetSource "
        "PandasDataset NumpyDataset SparkDataset"
    ),
    "lakehouse.data.pandas_dataset": "PandasDataset from_pandas",
    "lakehouse.data.numpy_dataset": "NumpyDataset from_numpy",
    "lakehouse.data.spark_dataset": "SparkDataset from_spark load_delta",
    "lakehouse.data.dataset": "Dataset",
}
CLIENT_METHODS = (
    "create_experiment get_experiment_by_name search_experiments set_experiment_tag "
    "search_runs create_run get_run delete_run restore_run log_metric log_param set_tag "
    "log_batch set_terminated get_metric_history list_artifacts download_artifacts "
    "create_registered_model create_model_version get_registered_model get_model_version "
    "get_latest_versions search_model_versions search_registered_models "
    "set_registered_model_alias delete_registered_model_alias get_model_version_by_alias "
    "transition_model_version_stage update_model_version update_registered_model "
    "rename_registered_model delete_model_version delete_registered_model "
    "set_model_version_tag set_registered_model_tag log_inputs log_image"
    " get_logged_model search_logged_models set_logged_model_tags delete_logged_model_tag"
    " finalize_logged_model create_logged_model log_model_params delete_logged_model"
)
MISSING = {
    "lakehouse": ("Image"),
    "lakehouse.data": "from_huggingface from_polars",
}
MISSING_MODULES: tuple[str, ...] = ()
MISSING_CLIENT_METHODS = ""


def _pairs(table: dict[str, str]) -> list[tuple[str, str]]:
    return [(module, name) for module, names in table.items() for name in names.split()]


@pytest.mark.parametrize(("module", "name"), _pairs(PRESENT))
def test_mlflow_names_import(module: str, name: str) -> None:
    exec(f"from {module} import {name}", {})  # the statement users write


def test_the_mlflow_aliases_are_the_project_classes() -> None:
    from lakehouse.exceptions import MlflowException
    from lakehouse.tracking import MlflowClient

    assert mlflow.MlflowClient is MlflowClient is mlflow.Client
    assert MlflowException is mlflow.LakehouseError
    assert isinstance(mlflow.NotFoundError("x"), MlflowException)
    assert mlflow.models.Model is mlflow.models.MLModel


@pytest.mark.parametrize("method", CLIENT_METHODS.split())
def test_mlflow_client_methods(method: str) -> None:
    assert callable(getattr(mlflow.MlflowClient, method))


@pytest.mark.parametrize(("module", "name"), _pairs(MISSING))
def test_still_missing_names_are_listed_honestly(module: str, name: str) -> None:
    assert not hasattr(importlib.import_module(module), name), f"move {name} to PRESENT"


def test_still_missing_modules() -> None:
    for module in MISSING_MODULES:
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(module)


def test_still_missing_client_methods() -> None:
    for method in MISSING_CLIENT_METHODS.split():
        assert not hasattr(mlflow.MlflowClient, method), f"move {method} to CLIENT_METHODS"


def test_fluent_registry_searches_and_is_tracking_uri_set(home: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert mlflow.is_tracking_uri_set()  # the fixture set the root
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "MLmodel").write_text("flavors: {}\n")
    mlflow.register_model(str(package), "main.ml.searched")
    mlflow.register_model(str(package), "main.ml.searched")
    assert [m.name for m in mlflow.search_registered_models()] == ["main.ml.searched"]
    versions = mlflow.search_model_versions(filter_string="name = 'main.ml.searched'")
    assert sorted(v.version for v in versions) == [1, 2]
    assert len(mlflow.search_model_versions(1, "name = 'main.ml.searched'")) == 1
