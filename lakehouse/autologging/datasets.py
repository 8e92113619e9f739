"""The training data of an autologged fit, recorded as a run input (MLflow's dataset).

A pandas DataFrame or a numpy array (features, and targets when given) becomes a
``Dataset`` with MLflow's fields: ``name`` (``dataset`` as MLflow's default),
``digest`` (MLflow's: an md5 over the first 10,000 rows, the row count and the
column names, 8 hex characters), ``source_type`` ``code``, the ``schema`` and
``profile`` JSON. It is logged with the context tag ``mlflow.data.context``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from lakehouse.tracking import fluent
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.entities import Dataset, DatasetInput, InputTag

__all__ = ["dataset_of", "log_training_data"]

MAX_ROWS = 10000
CONTEXT_TAG = "mlflow.data.context"


def _md5(parts: list[Any]) -> str:
    md5 = hashlib.md5(usedforsecurity=False)
    for part in parts:
        md5.update(part if isinstance(part, bytes) else memoryview(part).tobytes())
    return md5.hexdigest()[:8]


def _pandas_dataset(df: Any, name: str) -> Dataset:
    import numpy as np
    import pandas as pd

    head = df.head(MAX_ROWS)
    strings = (
        head.columns[head.map(lambda v: type(v) is str).all(0)] if len(head) else head.columns[:0]
    )
    numeric = head.select_dtypes(include=[np.number]).columns
    hashed = pd.util.hash_pandas_object(head[strings.union(numeric)]).values
    digest = _md5([hashed, np.int64(len(df)), *[str(c).encode() for c in df.columns]])
    schema = {"mlflow_colspec": [{"type": _col_type(df[c]), "name": str(c)} for c in df.columns]}
    profile = {"num_rows": len(df), "num_elements": int(df.size)}
    return Dataset(
        name=name,
        digest=digest,
        source_type="code",
        source=json.dumps({"tags": {}}),
        schema=json.dumps(schema),
        profile=json.dumps(profile),
    )


def _col_type(series: Any) -> str:
    kind = series.dtype.kind
    return {"b": "boolean", "i": "long", "u": "long", "f": "double", "M": "datetime"}.get(
        kind, "string"
    )


def _numpy_dataset(features: Any, targets: Any, name: str) -> Dataset:
    import numpy as np
    import pandas as pd

    parts: list[Any] = []
    schema: dict[str, Any] = {}
    profile: dict[str, Any] = {}
    for label, array in (("features", features), ("targets", targets)):
        if array is None:
            continue
        arr = np.asarray(array)
        flat = arr.ravel()[:MAX_ROWS]
        try:
            parts.append(pd.util.hash_array(flat))
        except TypeError:
            parts.append(np.int64(flat.size))
        parts.extend(np.int64(x) for x in arr.shape)
        schema[label] = {
            "type": "tensor",
            "tensor-spec": {"dtype": str(arr.dtype), "shape": [-1, *arr.shape[1:]]},
        }
        profile.update(
            {
                f"{label}_shape": list(arr.shape),
                f"{label}_size": arr.size,
                f"{label}_nbytes": arr.nbytes,
            }
        )
    return Dataset(
        name=name,
        digest=_md5(parts),
        source_type="code",
        source=json.dumps({"tags": {}}),
        schema=json.dumps({"mlflow_tensorspec": schema}),
        profile=json.dumps(profile),
    )


def dataset_of(X: Any, y: Any = None, name: str = "dataset") -> Dataset | None:
    """The ``Dataset`` describing training data, or None for a type it cannot describe."""
    import numpy as np
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        return _pandas_dataset(X, name)
    if hasattr(X, "toarray"):  # scipy sparse
        X = X.toarray()
    if isinstance(X, np.ndarray):
        target = y.toarray() if hasattr(y, "toarray") else y
        return _numpy_dataset(X, None if target is None else np.asarray(target), name)
    return None


def log_training_data(X: Any, y: Any, context: str) -> None:
    """Record ``X`` (and ``y``) as an input of the active run with ``context``."""
    if X is None:
        return
    dataset = dataset_of(X, y)
    run = fluent.active_run()
    if dataset is None or run is None:
        return
    TrackingClient().log_inputs(
        run.info.run_id,
        datasets=[DatasetInput(dataset=dataset, tags=[InputTag(key=CONTEXT_TAG, value=context)])],
    )
