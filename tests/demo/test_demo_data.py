"""The demo data: seeded, realistic, written as partitioned Delta tables."""

from __future__ import annotations

import lakehouse as lh
from lakehouse.demo import write_demo_tables
from lakehouse.demo.data import generate
from lakehouse.registry.client import RegistryClient


def test_same_seed_same_rows_and_plausible_shape() -> None:
    a, b = generate(300, days=30, seed=7), generate(300, days=30, seed=7)
    assert a.orders.equals(b.orders) and a.labels.equals(b.labels)
    assert not generate(300, days=30, seed=8).orders.equals(a.orders)
    assert set(a.customers["plan"]) == {"basic", "standard", "premium"}
    span = a.orders["order_ts"].max() - a.orders["order_ts"].min()
    assert 20 <= span.days <= 30
    assert 0.02 < a.labels["churned"].mean() < 0.4
    assert a.orders["customer_id"].isin(a.customers["customer_id"]).all()
    # churn follows the plan: basic customers churn more than premium ones
    merged = a.labels.merge(a.customers, on="customer_id")
    by_plan = merged.groupby("plan")["churned"].mean()
    assert by_plan["basic"] > by_plan["premium"]


def test_demo_tables_are_written_partitioned(home: str, spark) -> None:  # type: ignore[no-untyped-def]
    messages: list[str] = []
    made = write_demo_tables(100, days=20, seed=1, progress=messages.append)
    assert [t.name for t in made] == [
        "main.demo.customers",
        "main.demo.orders",
        "main.demo.churn_labels",
    ]
    assert lh.list_tables("main.demo") == sorted(t.name for t in made)
    assert lh.describe_table("main.demo.orders").partition_columns == ("order_date",)
    for t in made:
        assert lh.table(t.name).count() == t.rows
    assert len(messages) == 3 and "main.demo.orders" in messages[1]


def test_demo_trains_from_a_training_set_and_registers_the_best(home: str, spark) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from lakehouse.demo.customer_features import CUSTOMER_FEATURES, refresh_customer_features
    from lakehouse.demo.data import DEMO_END
    from lakehouse.demo.train import EXPERIMENT, LABELS, MODEL_NAME, train_and_register
    from lakehouse.features.model import feature_spec_of

    write_demo_tables(400, days=60, seed=3, progress=lambda _: None)
    refresh_customer_features()
    as_of = DEMO_END - dt.timedelta(days=31)
    result = train_and_register(as_of, progress=lambda _: None)
    runs = lh.search_runs(experiment_names=[EXPERIMENT])
    assert len(runs) == 3 and runs["status"].eq("FINISHED").all()
    assert result.best_auc == runs["metrics.auc"].max()
    # Autologged: every estimator parameter and sklearn's training metrics, under MLflow's names.
    forest = runs[runs["params.model"] == "random_forest"].iloc[0]
    assert forest["params.n_estimators"] == "100" and forest["params.max_depth"] == "6"
    assert 0.5 <= forest["metrics.training_accuracy_score"] <= 1.0
    # The spine: the labels of the three weeks before as_of, every row kept.
    days = [as_of - dt.timedelta(weeks=w) for w in (1, 2, 3)]
    labels = lh.table(LABELS).toPandas()
    assert result.rows == labels["label_date"].isin(days).sum() > 0
    champion = RegistryClient().get_model_version_by_alias(MODEL_NAME, "champion")
    assert champion.version == result.version == 1 and champion.run_id == result.best_run_id
    inputs = {i.table_name: i.version for i in lh.lineage(MODEL_NAME, 1).inputs}
    assert inputs == {CUSTOMER_FEATURES: 0, LABELS: 0}
    # The model carries its feature spec: callers bring keys and a date, never features.
    spec = feature_spec_of(f"models:/{MODEL_NAME}@champion")
    assert spec.table_versions == {CUSTOMER_FEATURES: 0}
    assert spec.input_columns == ("customer_id", "as_of_date")
