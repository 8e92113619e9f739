"""Nightly batch scoring: score one date partition of a Delta table with the champion model.

    spark-submit $(lakehouse spark-conf --submit) jobs/batch_score.py \
        --conf-file conf/batch_score.yaml [--date 2026-11-28]

The same code as ``lakehouse jobs batch-score`` (``lakehouse.scoring.job.main``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from lakehouse.scoring.job import main as run


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job with command-line arguments; returns the exit code."""
    return run(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
