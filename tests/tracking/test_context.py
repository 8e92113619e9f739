"""Where a run comes from: ``mlflow.source.type`` NOTEBOOK only inside a Jupyter kernel."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
from nbclient import NotebookClient

PROBE = (
    "from lakehouse.tracking.context import run_context_tags; import json; "
    "t = run_context_tags(); print(json.dumps([t['mlflow.source.type'], t['mlflow.source.name']]))"
)


def test_importing_ipykernel_does_not_make_a_script_a_notebook() -> None:
    # jupyter_client imports ipykernel to find a kernel spec; `python -c` has no __main__ file.
    done = subprocess.run(
        [sys.executable, "-c", "import ipykernel, ipykernel.kernelspec; " + PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    kind, _ = json.loads(done.stdout.strip().splitlines()[-1])
    assert kind == "LOCAL"


def test_a_jupyter_kernel_is_a_notebook(tmp_path) -> None:  # type: ignore[no-untyped-def]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    NotebookClient(notebook, kernel_name="python3", timeout=120).execute(cwd=str(tmp_path))
    output = notebook.cells[0].outputs[0]["text"]
    kind, name = json.loads(output.strip().splitlines()[-1])
    assert (kind, name) == ("NOTEBOOK", "notebook")
