"""The face users import, under lakehouse's name and Databricks' module name."""

from __future__ import annotations

import datetime as dt

import pytest

import lakehouse.feature_engineering as databricks_style
import lakehouse.feature_store as face
from lakehouse.errors import InvalidArgumentError


def test_both_module_names_export_the_same_client() -> None:
    assert face.__all__ == databricks_style.__all__
    for name in face.__all__:
        assert getattr(face, name) is getattr(databricks_style, name)
        assert getattr(face, name).__doc__


def test_lookups_check_their_arguments() -> None:
    with pytest.raises(InvalidArgumentError, match="needs lookup_key"):
        face.FeatureLookup(table_name="main.ml.f", lookup_key=[])
    with pytest.raises(InvalidArgumentError, match="lookback_window without timestamp_lookup_key"):
        face.FeatureLookup(
            table_name="main.ml.f", lookup_key="id", lookback_window=dt.timedelta(days=1)
        )
    assert face.FeatureFunction(udf_name="main.ml.ratio").output == "ratio"
