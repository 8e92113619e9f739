"""Compaction of system.tracking.*: same answers, fewer rows, safe next to writers and crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

import lakehouse as lh
from lakehouse import paths
from lakehouse.cli import main
from lakehouse.config import get_config, set_config
from lakehouse.errors import CommitConflictError
from lakehouse.store.delta import DeltaStore
from lakehouse.tracking import maintenance, snapshots, writer
from lakehouse.tracking.entities import ViewType
from lakehouse.tracking.tables import RESOLUTION, SPECS, resolved_group, store_for
from tests.processes import SPAWN, spawned_pool


def _history(n_runs: int = 4) -> list[str]:
    """Runs whose state, tags and latest metrics each changed over several commits."""
    lh.set_experiment("main.ml.compact")
    client = lh.Client()
    ids = []
    for i in range(n_runs):
        with lh.start_run(run_name=f"r{i}") as run:
            lh.log_params({"depth": str(i), "lr": "0.1"})
            lh.set_tag("stage", "draft")
            for step in range(3):
                lh.log_metric("acc", i / 10 + step / 100, step=step)
                client.flush()  # one commit per step: several latest_metrics rows per key
            lh.set_tag("stage", "final")
        ids.append(run.info.run_id)
    client.delete_tag(ids[0], "stage")
    client.delete_run(ids[1])
    client.flush()
    return ids


def _answers() -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Every run as search_runs and get_run see it, in a stable order."""
    frame = lh.search_runs(run_view_type=ViewType.ALL).sort_values("run_id")
    frame = frame.reindex(sorted(frame.columns), axis=1).reset_index(drop=True)
    client = lh.Client()
    runs = [client.get_run(rid) for rid in frame["run_id"]]
    facts = [
        {
            "status": r.info.status,
            "stage": r.info.lifecycle_stage,
            "params": r.data.params,
            "metrics": r.data.metrics,
            "tags": {k: v for k, v in r.data.tags.items() if not k.startswith("mlflow.")},
        }
        for r in runs
    ]
    return frame, facts


def _rows(name: str) -> int:
    return store_for(name, get_config()).read().num_rows


def _keys_unique(name: str) -> bool:
    keys, _ = RESOLUTION[name]
    table = store_for(name, get_config()).read(columns=list(keys))
    return table.group_by(list(keys)).aggregate([]).num_rows == table.num_rows


def test_full_compaction_drops_superseded_rows_and_keeps_every_answer(home: str) -> None:
    _history()
    before = _answers()
    cfg = get_config()
    counts = {name: _rows(name) for name in RESOLUTION}
    results = {r.table: r for r in maintenance.compact(cfg, full=True)}
    for name in RESOLUTION:
        assert results[name].mode == "full"
        assert results[name].rows_before == counts[name]
        assert _keys_unique(name), name
    assert _rows("runs") == 4 < counts["runs"]  # one row per run, not one per state change
    assert _rows("latest_metrics") == 4 < counts["latest_metrics"]
    assert _rows("tags") < counts["tags"]
    # The deleted tag stays as a tombstone, so an older set committed later cannot revive it.
    tags = store_for("tags", cfg).read(filters=[("key", "=", "stage")])
    assert sorted(tags["deleted"].to_pylist()) == [False, False, False, True]
    # Warm (the cache reloads the rewritten files) and cold: the same answers.
    for fresh in (False, True):
        if fresh:
            snapshots.clear()
        after = _answers()
        pd.testing.assert_frame_equal(after[0], before[0])
        assert after[1] == before[1]


def test_reads_after_compaction_merge_newer_appends(home: str) -> None:
    ids = _history()
    cfg = get_config()
    list(maintenance.compact(cfg, full=True))
    client = lh.Client()
    client.log_metric(ids[2], "acc", 0.95, step=9)  # newer than the resolved row
    client.log_metric(ids[3], "acc", 0.01, step=0)  # older: the resolved row stays current
    client.set_tag(ids[2], "stage", "shipped")
    client.delete_tag(ids[3], "stage")
    client.restore_run(ids[1])
    client.flush()
    expected = {
        ids[0]: (0.02, None),
        ids[1]: (0.12, "final"),
        ids[2]: (0.95, "shipped"),
        ids[3]: (0.32, None),
    }
    for compaction in (None, "merge", "full"):
        if compaction is not None:
            for name in RESOLUTION:
                maintenance.compact_table(cfg, name, full=compaction == "full")
        snapshots.clear()
        frame = lh.search_runs().sort_values("run_id")
        got = {
            rid: (round(acc, 2), None if pd.isna(stage) else stage)
            for rid, acc, stage in zip(
                frame["run_id"], frame["metrics.acc"], frame["tags.stage"], strict=True
            )
        }
        assert got == expected, compaction
        hits = lh.search_runs(filter_string="metrics.acc > 0.5 OR tags.stage = 'final'")
        assert sorted(hits["run_id"]) == sorted([ids[1], ids[2]]), compaction


def test_merge_leaves_the_resolved_group_and_auto_mode_chooses(home: str) -> None:
    ids = _history(2)
    cfg = get_config()
    assert maintenance.compact_table(cfg, "latest_metrics").mode == "full"  # nothing resolved yet
    store = store_for("latest_metrics", cfg)

    def now() -> set[str]:
        store.table()  # refresh
        return {f.path for f in store.files()}

    group = {p for p in now() if resolved_group(p)}
    for step in range(3, 6):
        lh.Client().log_metric(ids[0], "acc", 0.5, step=step)
        lh.Client().flush()
    # 3 new rows against a 2-row group: >= 25% of it, so a full rewrite is due; the
    # background bound on table size turns it into a merge of the new files.
    assert maintenance.compact_table(cfg, "latest_metrics", full_max_rows=4).mode == "merge"
    assert group <= now()
    assert maintenance.compact_table(cfg, "latest_metrics").mode == "full"
    assert not group & now()
    # Many resolved rows, few new: the small files merge; the resolved group stays.
    writes = [
        {
            "run_id": f"x{i}",
            "key": "k",
            "value": 1.0,
            "timestamp": 0,
            "step": 0,
            "writer_id": "w",
            "seq": i,
        }
        for i in range(100)
    ]
    store.append(pa.Table.from_pylist(writes, schema=SPECS["latest_metrics"].schema))
    assert maintenance.compact_table(cfg, "latest_metrics", full=True).mode == "full"
    group = now()
    for step in range(6, 9):
        lh.Client().log_metric(ids[1], "acc", 0.7, step=step)
        lh.Client().flush()
    result = maintenance.compact_table(cfg, "latest_metrics")
    assert result.mode == "merge"
    assert (result.files_before, result.files_after) == (len(group) + 3, len(group) + 1)
    assert group <= now()
    assert maintenance.compact_table(cfg, "latest_metrics").mode == "none"
    snapshots.clear()
    assert lh.Client().get_run(ids[1]).data.metrics["acc"] == 0.7


def test_a_compaction_that_loses_a_race_changes_nothing(home: str) -> None:
    _history(2)
    cfg = get_config()
    uri = store_for("runs", cfg).uri
    first, second = DeltaStore(uri, SPECS["runs"]), DeltaStore(uri, SPECS["runs"])
    first.table(), second.table()  # both read the same version
    rows = first.read()
    first.replace_files(first.files(), rows, prefix="lh-merged")
    version = first.version()
    with pytest.raises(CommitConflictError, match="concurrent commit changed the same files"):
        second.replace_files(second.files(), rows, prefix="lh-merged")
    assert first.version() == version
    assert first.read().num_rows == rows.num_rows
    table_dir = Path(paths.to_local_path(uri))
    assert len(list(table_dir.glob("lh-merged-*.parquet"))) == 1  # the loser removed its files


_CRASH = """
import os, signal, sys
import deltalake
import lakehouse as lh
from lakehouse.config import get_config
from lakehouse.tracking import maintenance

def crash(*args, **kwargs):  # the process dies after writing its files, before the commit
    os.kill(os.getpid(), signal.SIGKILL)

deltalake.DeltaTable.create_write_transaction = crash
lh.set_config(home=sys.argv[1])
maintenance.compact_table(get_config(), "tags", full=True)
"""


def test_a_crash_before_the_commit_leaves_the_last_good_state(home: str) -> None:
    _history()
    before = _answers()
    cfg = get_config()
    version = store_for("tags", cfg).version()
    done = subprocess.run([sys.executable, "-c", _CRASH, home], capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL
    table_dir = Path(paths.to_local_path(store_for("tags", cfg).uri))
    assert list(table_dir.glob("lh-resolved-*.parquet"))  # written, never committed
    assert store_for("tags", cfg).version() == version
    snapshots.clear()
    after = _answers()
    pd.testing.assert_frame_equal(after[0], before[0])
    assert after[1] == before[1]
    # The next compaction proceeds from the committed files and ignores the orphans.
    assert maintenance.compact_table(cfg, "tags", full=True).mode == "full"
    snapshots.clear()
    assert _answers()[1] == before[1]
    # Vacuum deletes the orphans once they are older than the retention period (a week).
    orphans = [
        p
        for p in table_dir.glob("lh-resolved-*.parquet")
        if p.name not in {f.path for f in store_for("tags", cfg).files()}
    ]
    assert orphans
    week_ago = time.time() - 8 * 24 * 3600
    for path in orphans:
        os.utime(path, (week_ago, week_ago))
    results = {r.table: r for r in maintenance.compact(cfg)}
    assert results["tags"].vacuumed == len(orphans)
    assert not any(p.exists() for p in orphans)
    snapshots.clear()
    assert _answers()[1] == before[1]


def _log_runs(home: str, exp_id: str, n: int, tag: str) -> None:
    set_config(home=home, tracking_flush_interval=0.05)
    client = lh.Client()
    for i in range(n):
        run = client.create_run(exp_id, run_name=f"{tag}-{i}")
        rid = run.info.run_id
        client.log_param(rid, "i", str(i))
        client.log_metric(rid, "m", float(i), step=0)
        client.set_tag(rid, "writer", tag)
        client.set_terminated(rid)
        time.sleep(0.01)
    client.flush()


def _compact_until(home: str, stop: str) -> list[str]:
    """Full compactions of every resolved table, over and over, until ``stop`` exists."""
    set_config(home=home)
    cfg = get_config()
    modes = []
    while not os.path.exists(stop):
        for name in RESOLUTION:
            modes.append(maintenance.compact_table(cfg, name, full=True).mode)
    return modes


def _no_row_twice(name: str) -> bool:
    """Every row of a journaled table carries a unique (writer_id, seq)."""
    table = store_for(name, get_config()).read(columns=["writer_id", "seq"])
    return table.group_by(["writer_id", "seq"]).aggregate([]).num_rows == table.num_rows


def test_compaction_keeps_what_other_processes_append_meanwhile(home: str, tmp_path: Path) -> None:
    exp = lh.set_experiment("main.ml.busy")
    procs = [
        SPAWN.Process(target=_log_runs, args=(home, exp.experiment_id, 60, f"w{k}"))
        for k in range(2)
    ]
    for p in procs:
        p.start()
    stop = str(tmp_path / "stop")
    cfg = get_config()

    def searches() -> None:  # refreshes the shared table handles, as searches in threads do
        while not os.path.exists(stop):
            for name in RESOLUTION:
                store_for(name, cfg).table()

    reader = threading.Thread(target=searches)
    reader.start()
    with spawned_pool(1) as pool:  # a second compactor racing this one
        other = pool.apply_async(_compact_until, (home, stop))
        modes: list[str] = []
        while any(p.is_alive() for p in procs):
            for name in RESOLUTION:
                modes.append(maintenance.compact_table(cfg, name, full=True).mode)
        Path(stop).touch()
        modes += other.get(timeout=120)
    reader.join()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    assert "full" in modes
    for name in RESOLUTION:
        assert _no_row_twice(name), name  # no race left a row in two places
        maintenance.compact_table(cfg, name, full=True)
        assert _keys_unique(name), name
    snapshots.clear()
    frame = lh.search_runs(max_results=1000)
    assert len(frame) == 120
    assert (frame["status"] == "FINISHED").all()
    assert sorted(frame["params.i"].astype(int)) == sorted(list(range(60)) * 2)
    assert (frame["metrics.m"] == frame["params.i"].astype(float)).all()
    assert sorted(frame["tags.writer"].unique()) == ["w0", "w1"]
    assert _rows("runs") == 120 and _rows("params") == 120 and _rows("latest_metrics") == 120


def test_the_flusher_compacts_in_the_background(home: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "_COMPACT_EVERY", 2)
    set_config(home=home, tracking_flush_interval=0.05)
    lh.set_experiment("main.ml.auto")
    with lh.start_run() as run:
        for step in range(8):
            lh.log_metric("loss", 1 / (step + 1), step=step)
            time.sleep(0.12)  # each step lands in its own flush
    store = store_for("latest_metrics", get_config())
    deadline = time.monotonic() + 30
    while not any(resolved_group(f.path) for f in store.files()):
        assert time.monotonic() < deadline, "the flusher never compacted latest_metrics"
        time.sleep(0.1)
        store.table()
    assert lh.Client().get_run(run.info.run_id).data.metrics["loss"] == pytest.approx(1 / 8)


def test_the_cache_keeps_under_its_cap(home: str) -> None:
    _history()
    expected = _answers()
    snapshots.clear()
    set_config(home=home, tracking_cache_mb=0)
    assert _answers()[1] == expected[1]
    assert snapshots.cached_bytes() == 0
    set_config(home=home, tracking_cache_mb=64)
    assert _answers()[1] == expected[1]
    assert 0 < snapshots.cached_bytes() <= 64 << 20


def test_cli_compacts_and_says_where(home: str) -> None:
    _history(2)
    runner = CliRunner()
    out = runner.invoke(main, ["--home", home, "tracking", "compact"])
    assert out.exit_code == 0, out.output
    assert "latest_metrics" in out.output and "full" in out.output
    assert "system/tracking" in out.output
    again = runner.invoke(main, ["--home", home, "tracking", "compact", "--json"])
    assert again.exit_code == 0, again.output
    rows = {r["table"]: r for r in json.loads(again.output)}
    assert set(rows) == set(SPECS)
    assert rows["runs"]["mode"] == "none"  # nothing left to drop
    assert rows["runs"]["rows_after"] == 2


def test_a_rewrite_from_files_another_commit_removed_is_refused(home: str) -> None:
    _history(2)
    uri = store_for("runs", get_config()).uri
    stale, other = DeltaStore(uri, SPECS["runs"]), DeltaStore(uri, SPECS["runs"])
    files, rows = stale.files(), stale.read()
    other.replace_files(other.files(), rows, prefix="lh-merged")
    stale.table()  # refreshed past that commit (as a shared handle is, by other threads)
    with pytest.raises(CommitConflictError, match="no longer in the table"):
        stale.replace_files(files, rows, prefix="lh-merged")
    assert DeltaStore(uri, SPECS["runs"]).read().num_rows == rows.num_rows  # no row twice
