"""A seeded, realistic synthetic churn data set: customers, orders, daily labels.

Same seed, same rows. Churn depends on plan, region, order frequency and
returns, so models trained on it learn something real. All three builders
return pandas frames; :func:`generate` builds them together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DEMO_END", "LABEL_HORIZON_DAYS", "DemoData", "generate"]

PLANS = np.array(["basic", "standard", "premium"])
REGIONS = np.array(["north", "south", "east", "west"])
LABEL_HORIZON_DAYS = 30
DEMO_END = dt.date(2026, 1, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoData:
    customers: pd.DataFrame
    orders: pd.DataFrame
    labels: pd.DataFrame


def _customers(rng: np.random.Generator, n: int, start: dt.date) -> pd.DataFrame:
    plan = rng.choice(PLANS, size=n, p=[0.5, 0.35, 0.15])
    region = rng.choice(REGIONS, size=n, p=[0.3, 0.3, 0.2, 0.2])
    tenure_days = rng.integers(0, 730, size=n)
    signup = pd.to_datetime(start) - pd.to_timedelta(tenure_days, unit="D")
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype="int64"),
            "signup_date": signup.date,
            "plan": plan,
            "region": region,
            "monthly_fee": np.select(
                [plan == "basic", plan == "standard"], [9.99, 19.99], default=39.99
            ),
        }
    )


def _churn_day(rng: np.random.Generator, customers: pd.DataFrame, days: int) -> np.ndarray:
    """Day index of churn (or -1 for customers who stay) with plan and region effects."""
    base = {"basic": 0.35, "standard": 0.2, "premium": 0.1}
    p = customers["plan"].map(base).to_numpy() * np.where(
        customers["region"].to_numpy() == "south", 1.3, 1.0
    )
    churns = rng.random(len(customers)) < p
    return np.where(churns, rng.integers(10, days, size=len(customers)), -1)


def _orders(
    rng: np.random.Generator,
    customers: pd.DataFrame,
    churn_day: np.ndarray,
    start: dt.date,
    days: int,
) -> pd.DataFrame:
    rate = customers["plan"].map({"basic": 0.08, "standard": 0.15, "premium": 0.3}).to_numpy()
    # Customers about to churn order less and return more in their last weeks.
    counts = rng.poisson(rate * days)
    cust_idx = np.repeat(np.arange(len(customers)), counts)
    active_days = np.where(churn_day[cust_idx] >= 0, churn_day[cust_idx], days)
    day = (rng.random(len(cust_idx)) * active_days).astype("int64")
    seconds = rng.integers(8 * 3600, 22 * 3600, size=len(cust_idx))
    ts = (
        pd.Timestamp(start, tz="UTC")
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(seconds, unit="s")
    )
    near_churn = (churn_day[cust_idx] >= 0) & (churn_day[cust_idx] - day < 21)
    amount = np.round(rng.gamma(2.0, 25.0, size=len(cust_idx)) + 5, 2)
    returned = rng.random(len(cust_idx)) < np.where(near_churn, 0.3, 0.05)
    frame = pd.DataFrame(
        {
            "order_id": np.arange(1, len(cust_idx) + 1, dtype="int64"),
            "customer_id": customers["customer_id"].to_numpy()[cust_idx],
            "order_ts": ts,
            "amount": amount,
            "returned": returned,
        }
    ).sort_values("order_ts", kind="stable")
    frame["order_date"] = frame["order_ts"].dt.date
    frame["order_id"] = np.arange(1, len(frame) + 1, dtype="int64")
    return frame.reset_index(drop=True)


def _labels(
    customers: pd.DataFrame, churn_day: np.ndarray, start: dt.date, days: int
) -> pd.DataFrame:
    """One row per active customer per day: churned = churns within the next 30 days."""
    n = len(customers)
    day = np.tile(np.arange(days), n)
    idx = np.repeat(np.arange(n), days)
    cd = churn_day[idx]
    active = (cd < 0) | (day < cd)
    churned = (cd >= 0) & (cd - day <= LABEL_HORIZON_DAYS)
    frame = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy()[idx][active],
            "label_date": (pd.Timestamp(start) + pd.to_timedelta(day[active], unit="D")).date,
            "churned": churned[active].astype("int32"),
        }
    )
    return frame


def generate(
    customers: int = 2000, *, days: int = 90, seed: int = 42, end: dt.date | None = None
) -> DemoData:
    """Build the demo data set; ``end`` is the last day (default: ``DEMO_END``)."""
    if customers < 1 or days < 14:
        raise ValueError("the demo needs at least 1 customer and 14 days of history")
    rng = np.random.default_rng(seed)
    end = end or DEMO_END
    start = end - dt.timedelta(days=days - 1)
    cust = _customers(rng, customers, start)
    churn_day = _churn_day(rng, cust, days)
    return DemoData(
        customers=cust,
        orders=_orders(rng, cust, churn_day, start, days),
        labels=_labels(cust, churn_day, start, days),
    )
