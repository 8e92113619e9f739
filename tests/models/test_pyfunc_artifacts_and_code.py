"""Custom models: artifacts from runs:/ and models:/ URIs; local code packaged and found at load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import lakehouse as lh
from lakehouse.models.flavors.pyfunc import infer_code_paths
from lakehouse.paths import to_local_path
from lakehouse.registry.uris import resolve_model_uri

MODULE = """
import pandas as pd

from lakehouse.pyfunc import PythonModel
from . import factors


class Scaled(PythonModel):
    def load_context(self, context):
        self.factor = factors.read(context.artifacts["factor"])

    def predict(self, context, model_input, params=None):
        return pd.Series(model_input["x"] * self.factor)
"""
FACTORS = """
def read(path):
    with open(path) as fh:
        return float(fh.read())
"""
LOG = """
import json
import lakehouse as lh
from mymodels import Scaled

with lh.start_run() as source:
    lh.log_text("3", "factor.txt")
with lh.start_run() as run:
    info = lh.pyfunc.log_model(
        name="scaled",
        python_model=Scaled(),
        artifacts={"factor": f"runs:/{source.info.run_id}/factor.txt"},
        infer_code_paths=True,
        registered_model_name="Scaled-Model",
    )
with lh.start_run():
    again = lh.pyfunc.log_model(
        name="copy",
        python_model=Scaled(),
        artifacts={"factor": "models:/scaled-model/1"},
        code_paths=["mymodels"],
    )
print(json.dumps({"uri": info.model_uri, "copy": again.model_uri}))
"""
LOAD = """
import json, sys
import pandas as pd
import lakehouse as lh
assert "mymodels" not in sys.modules
uri = sys.argv[1]
model = lh.pyfunc.load_model(uri)
print(json.dumps(list(model.predict(pd.DataFrame({"x": [1.0, 2.0]})))))
"""


def _python(code: str, home: str, cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_")}
    env.update(LAKEHOUSE_HOME=home, LAKEHOUSE_CONF=str(cwd / "no-conf.yaml"))
    env.pop("PYTHONPATH", None)
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


def test_artifacts_from_run_and_model_uris_and_inferred_code(home: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "mymodels").mkdir(parents=True)
    (project / "mymodels" / "__init__.py").write_text(MODULE)
    (project / "mymodels" / "factors.py").write_text(FACTORS)
    logged = json.loads(_python(LOG, home, project))
    elsewhere = tmp_path / "elsewhere"  # mymodels is not importable from here
    elsewhere.mkdir()
    assert json.loads(_python(LOAD, home, elsewhere, logged["uri"])) == [3.0, 6.0]
    assert json.loads(_python(LOAD, home, elsewhere, "models:/scaled-model/1")) == [3.0, 6.0]
    # the second package holds the registered package as its artifact, and its code
    package = Path(to_local_path(resolve_model_uri(logged["copy"]).location))
    assert list((package / "artifacts").glob("*/MLmodel"))
    assert (package / "code" / "mymodels" / "factors.py").is_file()


def test_infer_code_paths_finds_local_packages_and_skips_installed_ones() -> None:
    class Local(lh.pyfunc.PythonModel):
        pass

    # this module is local source (its file, or its top package when imported as
    # tests.models...); lakehouse and site-packages are not
    here = Path(__file__).resolve()
    expected = here.parents[1] if "." in __name__ else here
    assert infer_code_paths(Local()) == [str(expected)]
    assert infer_code_paths(lh.pyfunc.PythonModel()) == []
