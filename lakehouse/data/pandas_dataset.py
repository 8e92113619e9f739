"""``PandasDataset`` and ``from_pandas`` (MLflow's ``mlflow.data.pandas_dataset``)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from lakehouse.data.dataset import Dataset, colspec_json, column_schema
from lakehouse.data.digest_utils import compute_pandas_digest
from lakehouse.data.sources import DatasetSource, resolve_dataset_source
from lakehouse.errors import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

    from lakehouse.models.signature import Schema

__all__ = ["PandasDataset", "from_pandas"]


def _check_column(df: Any, column: str | None, what: str, kind: str) -> None:
    if column is not None and column not in df.columns:
        raise InvalidArgumentError(
            f"The specified {kind} does not contain the specified {what} column '{column}'; "
            f"its columns are {list(map(str, df.columns))}"
        )


class PandasDataset(Dataset):
    """A pandas DataFrame with optional ``targets`` and ``predictions`` columns."""

    def __init__(
        self,
        df: pd.DataFrame,
        source: DatasetSource,
        targets: str | None = None,
        name: str | None = None,
        digest: str | None = None,
        predictions: str | None = None,
    ):
        _check_column(df, targets, "targets", "pandas DataFrame")
        _check_column(df, predictions, "predictions", "pandas DataFrame")
        self._df = df
        self._targets = targets
        self._predictions = predictions
        super().__init__(source=source, name=name, digest=digest)

    def _compute_digest(self) -> str:
        return compute_pandas_digest(self._df)

    @property
    def df(self) -> pd.DataFrame:
        return self._df

    @property
    def targets(self) -> str | None:
        return self._targets

    @property
    def predictions(self) -> str | None:
        return self._predictions

    @property
    def profile(self) -> dict[str, int]:
        """``num_rows`` and ``num_elements`` (rows x columns)."""
        return {"num_rows": len(self._df), "num_elements": int(self._df.size)}

    @cached_property
    def schema(self) -> Schema | None:
        """The columns as a :class:`~lakehouse.types.Schema` (None if a type has no spec)."""
        return column_schema(self._df)

    def _schema_json(self) -> str | None:
        return colspec_json(self.schema)


def from_pandas(
    df: pd.DataFrame,
    source: str | DatasetSource | None = None,
    targets: str | None = None,
    name: str | None = None,
    digest: str | None = None,
    predictions: str | None = None,
) -> PandasDataset:
    """A dataset of a pandas DataFrame, for ``lh.log_input``.

    ``source`` is a path or URI the data was read from (or a ``DatasetSource``); by
    default the script or notebook building it. Example::

        ds = lh.data.from_pandas(df, source="data/wine.csv", targets="quality", name="wine")
        lh.log_input(ds, context="training")
    """
    return PandasDataset(
        df=df,
        source=resolve_dataset_source(source),
        targets=targets,
        name=name,
        digest=digest,
        predictions=predictions,
    )
