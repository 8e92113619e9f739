"""Dataset digests computed exactly as MLflow computes them (``mlflow.data.digest_utils``).

A digest is the first 8 hex characters of an MD5 over a sample of the data, so the
same DataFrame logged with MLflow or with lakehouse gets the same digest.
"""

from __future__ import annotations

import hashlib
from typing import Any

from lakehouse.errors import InvalidArgumentError

__all__ = ["MAX_ROWS", "compute_numpy_digest", "compute_pandas_digest", "get_normalized_md5_digest"]

MAX_ROWS = 10000


def compute_pandas_digest(df: Any) -> str:
    """Digest of a pandas DataFrame: its first 10,000 rows' string and number columns,
    its row count and its column names."""
    import numpy as np
    import pandas as pd

    trimmed = df.head(MAX_ROWS)
    # Element-wise on the whole frame, as MLflow does (a column is "string" if every value is).
    string_columns = trimmed.columns[(df.map(type) == str).all(0)]  # noqa: E721
    numeric_columns = trimmed.select_dtypes(include=[np.number]).columns
    trimmed = trimmed[string_columns.union(numeric_columns)]
    return get_normalized_md5_digest(
        [pd.util.hash_pandas_object(trimmed).values, np.int64(len(df))]
        + [str(x).encode() for x in df.columns]
    )


def compute_numpy_digest(features: Any, targets: Any = None) -> str:
    """Digest of numpy features (an array or a dict of arrays) and optional targets."""
    import numpy as np
    import pandas as pd

    elements: list[Any] = []

    def hash_array(array: Any) -> None:
        trimmed = array.flatten()[0:MAX_ROWS]
        try:
            elements.append(pd.util.hash_array(trimmed))
        except TypeError:
            elements.append(np.int64(trimmed.size))
        elements.extend(np.int64(x) for x in array.shape)

    for item in (features, targets):
        if item is None:
            continue
        if isinstance(item, dict):
            for key in sorted(item):
                hash_array(item[key])
        else:
            hash_array(item)
    return get_normalized_md5_digest(elements)


def get_normalized_md5_digest(elements: list[Any]) -> str:
    """The first 8 hex characters of the MD5 of ``elements`` (bytes-like, in order)."""
    if not elements:
        raise InvalidArgumentError("No hashable elements were provided for md5 digest creation")
    md5 = hashlib.md5(usedforsecurity=False)
    for element in elements:
        md5.update(element)
    return md5.hexdigest()[:8]
