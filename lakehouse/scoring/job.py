"""The nightly batch-scoring job: YAML configuration, terminal progress, one summary.

``jobs/batch_score.py`` (under ``spark-submit``) and ``lakehouse jobs batch-score``
both call :func:`main`/:func:`run_job`, so the two are the same code::

    spark-submit $(lakehouse spark-conf --submit) jobs/batch_score.py \\
        --conf-file conf/batch_score.yaml --date 2026-11-28

The YAML keys are the fields of :class:`BatchScoreConfig`; an unknown key is an error.
``--date`` selects the value of ``date_column`` to score (every row when absent).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn

from lakehouse.errors import ConfigError, LakehouseError
from lakehouse.scoring.batch import ScoringResult, ScoringSpec, run_scoring
from lakehouse.spark import spark as get_spark

__all__ = ["BatchScoreConfig", "load_config", "main", "print_summary", "run_job"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchScoreConfig:
    """The keys of ``conf/batch_score.yaml``."""

    model_uri: str
    """``models:/c.s.m@champion`` (resolved once, when the job starts), or the model's
    name when ``aliases`` is set."""
    input_table: str
    output_table: str
    date_column: str | None = None
    """Partition column of the input (and the output) that ``--date`` selects."""
    keys: tuple[str, ...] | None = None
    """Input columns kept in the output (all of them when absent)."""
    prediction_column: str = "prediction"
    aliases: tuple[str, ...] = ()
    """Several aliases scored in one pass, e.g. ``[champion, challenger]``."""
    result_type: str = "double"
    experiment: str | None = None
    """Tracking experiment of the runs (default ``<output catalog.schema>.batch_scoring``)."""

    def spec(self, date: str | None) -> ScoringSpec:
        """The scoring run for ``date`` (every row when None)."""
        if date is not None and self.date_column is None:
            raise ConfigError("--date was given but the configuration sets no date_column")
        return ScoringSpec(
            model_uri=self.model_uri,
            input_table=self.input_table,
            output_table=self.output_table,
            partition={} if date is None else {str(self.date_column): date},
            keys=self.keys,
            prediction_column=self.prediction_column,
            aliases=self.aliases,
            result_type=self.result_type,
            experiment=self.experiment,
        )


_KEYS = {f.name: f for f in fields(BatchScoreConfig)}
_LISTS = ("keys", "aliases")


def _coerce(path: Path, key: str, value: Any) -> Any:
    if key not in _KEYS:
        raise ConfigError(f"unknown key {key!r} in {path}; known keys: {', '.join(sorted(_KEYS))}")
    if key in _LISTS:
        if value is None:
            return None if key == "keys" else ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of names, got {value!r}")
        return tuple(value)
    if value is None or not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {key} must be a non-empty string, got {value!r}")
    return value


def load_config(path: str | Path, **overrides: Any) -> BatchScoreConfig:
    """Read the job's YAML; ``overrides`` (e.g. ``model_uri=``) win over the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"configuration file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path} must hold a mapping of settings, got {type(data).__name__}")
    values = {str(k): _coerce(path, str(k), v) for k, v in data.items()}
    values.update({k: _coerce(path, k, v) for k, v in overrides.items() if v is not None})
    missing = [k for k in ("model_uri", "input_table", "output_table") if k not in values]
    if missing:
        raise ConfigError(f"{path} lacks the required key(s) {missing}")
    return BatchScoreConfig(**values)


@contextmanager
def _spark_progress(console: Console) -> Iterator[Any]:
    """A live line on a terminal: the stage of the run and Spark's task counts.

    Yields the callback ``run_scoring`` reports stages to. Fed by Spark's status
    tracker from a polling thread; prints nothing when the output is not a terminal.
    """
    if not console.is_terminal:
        yield lambda _message: None
        return
    tracker = get_spark().sparkContext.statusTracker()
    stop = threading.Event()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("[dim]{task.fields[tasks]}"),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=None, tasks="")

        def poll() -> None:
            while not stop.wait(0.3):
                infos = (tracker.getStageInfo(s) for s in tracker.getActiveStageIds())
                stages = [s for s in infos if s is not None]
                total = sum(s.numTasks for s in stages)
                done = sum(s.numCompletedTasks for s in stages)
                text = f"{len(stages)} stage(s), {done}/{total} tasks" if stages else ""
                bar.update(task, total=total or None, completed=done, tasks=text)

        thread = threading.Thread(target=poll, name="lakehouse-progress", daemon=True)
        thread.start()
        try:
            yield lambda message: bar.update(task, description=message)
        finally:
            stop.set()
            thread.join()


def print_summary(result: ScoringResult, console: Console) -> None:
    """What the run wrote, where, and with which model versions."""
    where = ", ".join(f"{k}={v}" for k, v in result.partition.items()) or "all partitions"
    console.print(
        f"wrote {result.rows_out:,} rows ({where}) to {result.output_table} "
        f"version {result.output_version}",
        soft_wrap=True,
    )
    console.print(f"  location: {result.output_location}", soft_wrap=True)
    for m in result.models:
        console.print(
            f"  {m.column}: {m.name or m.uri} version {m.version} (from {m.uri})", soft_wrap=True
        )
    if result.feature_tables:
        looked_up = ", ".join(f"{t} version {v}" for t, v in result.feature_tables.items())
        console.print(f"  features looked up from: {looked_up}", soft_wrap=True)
    console.print(
        f"  input: {result.input_table} version {result.input_version}, "
        f"{result.rows_in:,} rows; {result.seconds:.1f} s; tracking run {result.run_id}",
        soft_wrap=True,
    )


def run_job(
    conf_file: str | Path,
    *,
    date: str | None = None,
    model_uri: str | None = None,
    console: Console | None = None,
) -> ScoringResult:
    """Run the batch-scoring job of ``conf_file`` for ``date``; print progress and a summary."""
    console = console or Console()
    spec = load_config(conf_file, model_uri=model_uri).spec(date)
    with _spark_progress(console) as progress:
        result = run_scoring(spec, progress=progress)
    print_summary(result, console)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="batch_score", description="Score a Delta table (one date partition) with a model."
    )
    parser.add_argument("--conf-file", required=True, help="YAML, e.g. conf/batch_score.yaml")
    parser.add_argument("--date", help="value of date_column to score, e.g. 2026-11-28")
    parser.add_argument("--model-uri", help="overrides model_uri of the configuration")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The job's entry point: 0 on success, 2 with a one-line message on a lakehouse error."""
    args = _parser().parse_args(argv)
    console = Console()
    try:
        run_job(args.conf_file, date=args.date, model_uri=args.model_uri, console=console)
    except LakehouseError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", soft_wrap=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
