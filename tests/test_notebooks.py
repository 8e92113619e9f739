"""Every notebook in notebooks/ runs top to bottom without a cell error.

The notebooks of one test worker share one Jupyter kernel of this venv's Python, so one
JVM and one import of pyspark, sklearn and lakehouse serve them all: starting those is
most of what a short notebook costs. Each notebook still starts clean: before it runs,
the kernel drops every name the previous notebook defined (``%reset -f``), moves to the
test's own folder and points lakehouse (and the running Spark session, see
``lh.set_home``) at a fresh empty root there. A notebook that fails costs the kernel: the
next test starts a new one, so one failure cannot leak into the next notebook.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
TIMEOUT_SECONDS = 600


class SharedKernel:
    """One kernel for the notebooks of this test worker, started on first use."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.manager: KernelManager | None = None

    def get(self) -> KernelManager:
        """The running kernel's manager; starts a kernel when there is none."""
        if self.manager is None:
            env = {
                **os.environ,
                "LAKEHOUSE_HOME": str(self.cwd / "unused-root"),
                "LAKEHOUSE_SPARK_MASTER": "local[2]",
                "LAKEHOUSE_SHUFFLE_PARTITIONS": "2",
                "LAKEHOUSE_SPARK_CONF": "spark.ui.enabled=false",
                "PYSPARK_PYTHON": sys.executable,
                "PYSPARK_DRIVER_PYTHON": sys.executable,
            }
            boot = NotebookClient(nbformat.v4.new_notebook(), kernel_name="python3")
            self.manager = boot.create_kernel_manager()
            # Not a folder named "lakehouse": Spark's Python workers start in the kernel's
            # working directory, and such a folder there would shadow the package.
            boot.start_new_kernel(env=env, cwd=str(self.cwd))
        return self.manager

    def discard(self) -> None:
        """Shut the kernel down (after a failure, and at the end of the session)."""
        if self.manager is not None:
            NotebookClient(nbformat.v4.new_notebook(), km=self.manager)._cleanup_kernel()
            self.manager = None


@pytest.fixture(scope="session")
def shared_kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedKernel]:
    kernel = SharedKernel(tmp_path_factory.mktemp("notebook-kernel"))
    yield kernel
    kernel.discard()


def _run(notebook: nbformat.NotebookNode, manager: KernelManager) -> None:
    """Execute ``notebook``'s cells in the kernel; raises CellExecutionError on a cell error."""
    client = NotebookClient(notebook, km=manager, timeout=TIMEOUT_SECONDS, kernel_name="python3")
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()


def _fresh_start(folder: Path) -> nbformat.NotebookNode:
    """A one-cell notebook that clears the kernel's names and moves it to ``folder``."""
    source = (
        "%reset -f\n"
        "import os\n"
        f"os.chdir({str(folder)!r})\n"
        "import lakehouse\n"
        f"lakehouse.set_home({str(folder / 'lakehouse-data')!r})\n"
        "del os, lakehouse\n"
    )
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, shared_kernel: SharedKernel) -> None:
    notebook = nbformat.read(path, as_version=4)
    try:
        _run(_fresh_start(tmp_path), shared_kernel.get())
        _run(notebook, shared_kernel.get())
    except BaseException:
        shared_kernel.discard()
        raise
    errors = [
        out
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert errors == []
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), "a code cell did not run"
