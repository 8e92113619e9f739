"""spark-submit job: write the seeded demo churn tables into ``main.demo``.

Run locally or on a cluster::

    spark-submit --master local[2] $(lakehouse spark-conf --submit) jobs/demo_data.py --rows 500
"""

from __future__ import annotations

import argparse
import sys

from lakehouse.demo import write_demo_tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="number of customers")
    parser.add_argument("--days", type=int, default=90, help="days of order history")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    tables = write_demo_tables(args.rows, days=args.days, seed=args.seed)
    for table in tables:
        print(f"wrote {table.name}: {table.rows} rows at {table.location}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
