"""``lakehouse jobs``: run the project's jobs from the command line.

``lakehouse jobs batch-score --conf-file conf/batch_score.yaml --date 2026-11-28`` runs
the same code as ``spark-submit ... jobs/batch_score.py`` (in a local Spark session).
"""

from __future__ import annotations

import click

from lakehouse.cli.output import console, emit_json
from lakehouse.cli.scheduler import runs_command

__all__ = ["jobs"]


@click.group()
def jobs() -> None:
    """Nightly jobs (batch scoring) run in a local Spark session."""


@jobs.command("batch-score")
@click.option(
    "--conf-file",
    required=True,
    type=click.Path(dir_okay=False),
    help="The job's YAML, e.g. conf/batch_score.yaml.",
)
@click.option("--date", help="Value of the configured date_column to score, e.g. 2026-11-28.")
@click.option("--model-uri", help="Overrides model_uri of the configuration.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON for scripts.")
def batch_score(conf_file: str, date: str | None, model_uri: str | None, as_json: bool) -> None:
    """Score a Delta table (one date partition, or all of it) into a partitioned Delta table.

    Resolves the model URI (or each configured alias) once, replaces exactly the
    date's partition of the output, and records a tracking run with the input and
    output Delta versions.
    """
    from rich.console import Console

    from lakehouse.scoring.job import run_job

    quiet = Console(quiet=True)
    result = run_job(
        conf_file, date=date, model_uri=model_uri, console=quiet if as_json else console
    )
    if as_json:
        emit_json(result)


jobs.add_command(runs_command)  # `lakehouse jobs runs [JOB]`: system.jobs.runs
