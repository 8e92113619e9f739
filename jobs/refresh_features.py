"""spark-submit job: refresh a feature table from its source Delta tables, as a YAML describes.

Run locally, on a cluster, from cron or from ``lakehouse scheduler``::

    spark-submit $(lakehouse spark-conf --submit) jobs/refresh_features.py \
        --conf-file conf/features/customer_features.yaml
"""

from __future__ import annotations

import argparse
import sys

from lakehouse.features.refresh import RefreshResult, load_refresh_config, refresh
from lakehouse.scheduler import report_rows_changed


def summary(result: RefreshResult) -> str:
    """One line a person reads in the job's log."""
    sources = ", ".join(f"{name}@v{v}" for name, v in result.source_versions.items())
    before = "new table" if result.version_before is None else f"v{result.version_before}"
    return (
        f"refreshed {result.table}: {result.rows_computed:,} rows computed from {sources}; "
        f"{result.rows_inserted:,} inserted, {result.rows_updated:,} updated; "
        f"version {before} -> v{result.version_after}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--conf-file", required=True, help="refresh YAML, e.g. conf/features/customer_features.yaml"
    )
    args = parser.parse_args(argv)
    result = refresh(load_refresh_config(args.conf_file))
    print(summary(result), flush=True)
    report_rows_changed(result.rows_changed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
