"""The three domain stores: built the same way from a root, entities in and out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lakehouse import paths
from lakehouse.catalog.entities import CatalogInfo, SchemaInfo
from lakehouse.catalog.store import CatalogStore
from lakehouse.config import config_overrides
from lakehouse.registry.store import RegistryStore
from lakehouse.tracking.entities import Experiment, Metric, RunInput
from lakehouse.tracking.tables import TrackingStore, input_row, metric_row


def test_each_store_opens_its_system_schema_of_the_given_root(tmp_path: Path) -> None:
    with config_overrides(home=str(tmp_path / "lh")) as cfg:
        stores = {
            "catalog": CatalogStore(cfg).tables,
            "registry": RegistryStore(cfg).tables,
            "tracking": TrackingStore.of(cfg).tables,
        }
        for schema, tables in stores.items():
            for name, table in tables.items():
                assert table.uri == paths.join(cfg.home_uri, "system", schema, name)
        assert TrackingStore.of(cfg) is TrackingStore.of(cfg)  # one per root


def test_catalog_store_round_trips_entities(tmp_path: Path) -> None:
    with config_overrides(home=str(tmp_path / "lh")) as cfg:
        store = CatalogStore(cfg)
        when = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
        info = CatalogInfo(name="dev", comment="scratch", owner="ana", created_at=when)
        assert store.add_catalog(info) is True
        assert store.add_catalog(CatalogInfo(name="dev", comment="other")) is False
        assert store.catalog_meta("dev") == info
        schema = SchemaInfo(catalog_name="dev", name="s", comment="c", owner="ana", created_at=when)
        assert store.add_schema(schema)
        assert store.schemas_meta("dev") == {"s": schema}
        store.remove_catalog("dev")
        assert store.catalog_meta("dev") is None and store.schema_meta("dev", "s") is None


def test_tracking_store_round_trips_experiments_and_run_data(tmp_path: Path) -> None:
    with config_overrides(home=str(tmp_path / "lh")) as cfg:
        store = TrackingStore.of(cfg)
        exp = Experiment(
            experiment_id="7",
            name="main.ml.e",
            artifact_location="file:///a",
            tags={"team": "growth"},
            creation_time=1_700_000_000_000,
            last_update_time=1_700_000_000_000,
        )
        assert store.add_experiment(exp) is True
        assert store.add_experiment(exp) is False  # the name is taken
        assert store.find_experiments(name="main.ml.e") == [exp]
        deleted = Experiment(**{**_fields(exp), "lifecycle_stage": "deleted"})
        store.update_experiment(deleted, ["lifecycle_stage"])
        assert store.find_experiments(experiment_id="7")[0].lifecycle_stage == "deleted"
        points = [Metric(key="auc", value=v, timestamp=1, step=s) for s, v in ((2, 0.9), (1, 0.8))]
        store.tables["metrics"].append(
            [{**metric_row("r1", p), "writer_id": "w", "seq": i} for i, p in enumerate(points)]
        )
        assert [m.value for m in store.metric_history("r1", "auc")] == [0.8, 0.9]
        used = RunInput(table_name="main.ml.t", version=3)
        store.tables["inputs"].append([{**input_row("r1", used), "writer_id": "w", "seq": 0}])
        assert store.run_inputs("r1") == [used]


def _fields(exp: Experiment) -> dict[str, object]:
    return {f: getattr(exp, f) for f in Experiment.__dataclass_fields__}
