"""Demo step: build ``main.demo.customer_features`` with the scheduled refresh job's code.

The same refresh that ``jobs/refresh_features.py`` runs nightly from
``conf/features/customer_features.yaml``: one row per customer and day, from the
orders strictly before that day, merged into a feature table with a timeseries key,
so training sets look features up point in time instead of hand-written joins.
"""

from __future__ import annotations

from lakehouse.config import project_root
from lakehouse.features.refresh import RefreshResult, load_refresh_config, refresh

__all__ = [
    "CONF_FILE",
    "CUSTOMER_FEATURES",
    "FEATURE_COLUMNS",
    "describe",
    "refresh_customer_features",
]

CUSTOMER_FEATURES = "main.demo.customer_features"
# The features of the table (the SQL of CONF_FILE computes them) that the churn models use.
FEATURE_COLUMNS = [
    "orders_30d",
    "amount_30d",
    "returns_30d",
    "return_rate_90d",
    "days_since_last_order",
    "tenure_days",
    "monthly_fee",
    "is_basic",
    "is_premium",
    "is_south",
]
CONF_FILE = project_root() / "conf" / "features" / "customer_features.yaml"


def refresh_customer_features() -> RefreshResult:
    """Refresh ``main.demo.customer_features`` from ``main.demo.orders`` and ``customers``."""
    return refresh(load_refresh_config(CONF_FILE))


def describe(result: RefreshResult) -> str:
    """One line for the demo's output."""
    sources = ", ".join(f"{n}@v{v}" for n, v in result.source_versions.items())
    return (
        f"refreshed {result.table} from {sources}: {result.rows_computed:,} rows, "
        f"{result.rows_inserted:,} inserted, {result.rows_updated:,} updated "
        f"(version {result.version_after}; recorded in system.features.refreshes)"
    )
