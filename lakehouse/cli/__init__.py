"""The ``lakehouse`` command line: ``lakehouse --help`` lists the commands.

Every command prints what it did and where the results are; ``--json`` gives
the same facts to scripts.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from importlib.metadata import entry_points

import click

from lakehouse.catalog import namespace
from lakehouse.catalog.entities import CatalogInfo, SchemaInfo
from lakehouse.cli.jobs import jobs as jobs_group
from lakehouse.cli.models import models as models_group
from lakehouse.cli.output import console, emit_json, json_option, print_table
from lakehouse.cli.scheduler import scheduler as scheduler_group
from lakehouse.cli.tracking import tracking as tracking_group
from lakehouse.cli.ui import ui as ui_command
from lakehouse.config import get_config, set_config
from lakehouse.errors import LakehouseError

__all__ = ["COMMANDS_GROUP", "main", "run"]

# Entry-point group through which packages above the CLI add commands (`lakehouse demo`
# comes from lakehouse.demo): the CLI loads them by name and never imports them.
COMMANDS_GROUP = "lakehouse.commands"


class _Commands(click.Group):
    """The command group: built-in commands, then those installed under COMMANDS_GROUP."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        installed = {entry.name for entry in entry_points(group=COMMANDS_GROUP)}
        return sorted(set(super().list_commands(ctx)) | installed)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        # Loaded only when named (or listed by --help), so other commands stay fast.
        for entry in entry_points(group=COMMANDS_GROUP, name=cmd_name):
            loaded = entry.load()
            if not isinstance(loaded, click.Command):
                raise click.ClickException(
                    f"entry point {entry.name} = {entry.value} in {COMMANDS_GROUP} is a "
                    f"{type(loaded).__name__}, expected a click command"
                )
            return loaded
        return None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", envvar=None, help="Lakehouse root (default: LAKEHOUSE_HOME or conf).")
@click.version_option(package_name="lakehouse")
def main(home: str | None) -> None:
    """lakehouse: ML tracking, models, registry, scoring and features on Spark + Delta."""
    if home:
        set_config(home=home)


def _print_securables(
    kind: str, by_name: Mapping[str, CatalogInfo | SchemaInfo], title: str
) -> None:
    """Catalogs or schemas: name, then the comment, owner and creation time recorded."""
    print_table(
        [
            {kind: name, "comment": i.comment, "owner": i.owner, "created": i.created_at}
            for name, i in by_name.items()
        ],
        [kind, "comment", "owner", "created"],
        title=title,
    )


@main.command()
@json_option
def catalogs(as_json: bool) -> None:
    """List catalogs."""
    items = namespace.list_catalogs()
    if as_json:
        return emit_json(items)
    _print_securables("catalog", {c.name: c for c in items}, f"Catalogs in {get_config().home_uri}")


@main.command()
@click.argument("catalog", required=False)
@json_option
def schemas(catalog: str | None, as_json: bool) -> None:
    """List the schemas of CATALOG (default: main)."""
    items = namespace.list_schemas(catalog)
    if as_json:
        return emit_json(items)
    _print_securables("schema", {s.full_name: s for s in items}, "Schemas")


@main.command()
@click.argument("schema", required=False)
@json_option
def tables(schema: str | None, as_json: bool) -> None:
    """List the tables of SCHEMA as catalog.schema (default: main.default)."""
    names = namespace.list_tables(schema)
    described = [namespace.describe_table(n) for n in names]
    if as_json:
        return emit_json(described)
    print_table(
        [
            {
                "table": d.full_name,
                "version": d.version,
                "partitioned by": ", ".join(d.partition_columns),
                "updated": d.updated_at,
                "comment": d.comment,
            }
            for d in described
        ],
        ["table", "version", "partitioned by", "updated", "comment"],
        title="Tables",
    )


@main.command()
@click.argument("name")
@json_option
def describe(name: str, as_json: bool) -> None:
    """Describe table NAME (catalog.schema.table)."""
    d = namespace.describe_table(name)
    if as_json:
        return emit_json(d)
    console.print(f"[bold]{d.full_name}[/bold]  (delta, version {d.version})")
    console.print(f"location:       {d.location}")
    console.print(f"comment:        {d.comment or ''}")
    console.print(f"partitioned by: {', '.join(d.partition_columns) or '(none)'}")
    console.print(f"created:        {d.created_at:%Y-%m-%d %H:%M:%S} UTC" if d.created_at else "")
    console.print(f"updated:        {d.updated_at:%Y-%m-%d %H:%M:%S} UTC" if d.updated_at else "")
    if d.properties:
        console.print("properties:     " + ", ".join(f"{k}={v}" for k, v in d.properties.items()))
    print_table(
        [
            {"column": c.name, "type": c.type, "nullable": c.nullable, "comment": c.comment}
            for c in d.columns
        ],
        ["column", "type", "nullable", "comment"],
    )


@main.command("spark-conf")
@click.option("--submit", is_flag=True, help="Print as spark-submit arguments.")
def spark_conf(submit: bool) -> None:
    """Print the Spark settings a job or notebook needs to use lakehouse.

    Example: spark-submit --master spark://host:7077 $(lakehouse spark-conf --submit) job.py
    """
    from lakehouse.spark import delta_spark_conf

    conf = delta_spark_conf()
    if submit:
        args = [f"--jars {conf.pop('spark.jars')}"]
        args += [f"--conf {k}={v}" for k, v in conf.items()]
        click.echo(" ".join(args))
        return
    for key, value in conf.items():
        click.echo(f"{key}={value}")


main.add_command(models_group)
main.add_command(tracking_group)
main.add_command(scheduler_group)
main.add_command(jobs_group)
main.add_command(ui_command)


def run() -> None:
    """Console-script entry point: LakehouseError becomes a one-line message, exit 2."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except LakehouseError as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    run()
