"""``load_table``: the tables runs logged with ``log_table``, as one pandas DataFrame.

MLflow's ``mlflow.load_table(artifact_file, run_ids=None, extra_columns=None)``:
every run of the current experiment (or of ``run_ids``) that holds the table
artifact contributes its rows; ``extra_columns`` names columns of
``search_runs``' frame (``run_id``, ``params.lr``, ``metrics.auc``...) added to
each run's rows. A run lacks the table when the artifact file is not there (no
tag is needed to find them).
"""

from __future__ import annotations

import posixpath
import tempfile
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lakehouse.errors import InvalidArgumentError, NotFoundError
from lakehouse.tracking import fluent
from lakehouse.tracking.client import TrackingClient

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_table"]


def _has_file(client: TrackingClient, run_id: str, artifact_file: str) -> bool:
    folder = posixpath.dirname(artifact_file) or None
    return any(
        f.path == artifact_file and not f.is_dir for f in client.list_artifacts(run_id, folder)
    )


def _read(client: TrackingClient, run_id: str, artifact_file: str) -> pd.DataFrame:
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        path = client.download_artifacts(run_id, artifact_file, tmp)
        return pd.read_json(path, orient="split")


def load_table(
    artifact_file: str,
    run_ids: Sequence[str] | None = None,
    extra_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The rows of ``artifact_file`` (a ``log_table`` JSON) from every run that has it.

    Example::

        lh.load_table("eval_results.json", extra_columns=["run_id"])
    """
    import pandas as pd

    if not isinstance(artifact_file, str) or not artifact_file.endswith(".json"):
        raise InvalidArgumentError(
            f"load_table reads the JSON tables log_table writes: name a '*.json' artifact "
            f"file, got {artifact_file!r}"
        )
    ids = list(run_ids) if run_ids is not None else None
    filter_string = ""
    if ids:
        filter_string = "attributes.run_id IN (" + ", ".join(repr(str(i)) for i in ids) + ")"
    runs = fluent.search_runs(filter_string=filter_string, search_all_experiments=bool(ids))
    unknown = sorted(set(extra_columns or ()) - set(runs.columns))
    if unknown:
        raise InvalidArgumentError(
            f"load_table extra_columns {unknown} are not columns of search_runs (e.g. run_id, "
            "status, params.<name>, metrics.<name>, tags.<name>)"
        )
    client = fluent.current_client()
    frames = []
    for _, run in runs.iterrows():
        if not _has_file(client, run["run_id"], artifact_file):
            continue
        frame = _read(client, run["run_id"], artifact_file)
        for column in extra_columns or ():
            name = f"{column}_" if column in frame.columns else column  # as MLflow resolves it
            frame[name] = run[column]
        frames.append(frame)
    if ids and len(frames) < len(ids):
        warnings.warn(
            f"load_table: {len(ids) - len(frames)} of the {len(ids)} runs have no "
            f"{artifact_file!r}; they are skipped",
            UserWarning,
            stacklevel=2,
        )
    if not frames:
        where = f"runs {ids}" if ids else "the current experiment"
        raise NotFoundError(f"no run in {where} has the table artifact {artifact_file!r}")
    return pd.concat(frames, ignore_index=True)
