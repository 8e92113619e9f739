"""lh.log_image: numpy arrays and PIL images as run artifacts, MLflow's two forms."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import lakehouse as lh


def _read(run_id: str, path: str, tmp_dir: str) -> np.ndarray:
    local = lh.MlflowClient().download_artifacts(run_id, path, tmp_dir)
    with open(local, "rb") as fh:
        return np.asarray(Image.open(io.BytesIO(fh.read())))


def test_log_image_to_an_artifact_file(home: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rgb = np.zeros((4, 6, 3), np.uint8)
    rgb[:, :3] = [255, 128, 0]
    grey = np.linspace(0.0, 1.0, 12).reshape(3, 4)  # floats in [0, 1] scale to 0..255
    with lh.start_run() as run:
        lh.log_image(rgb, "plots/rgb.png")
        lh.log_image(grey, "plots/grey.png")
        lh.log_image(Image.fromarray(rgb), "plots/pil.jpg")
    run_id = run.info.run_id
    assert np.array_equal(_read(run_id, "plots/rgb.png", str(tmp_path)), rgb)
    assert np.array_equal(
        _read(run_id, "plots/grey.png", str(tmp_path)), (grey * 255).astype(np.uint8)
    )
    assert _read(run_id, "plots/pil.jpg", str(tmp_path)).shape == (4, 6, 3)
    names = {f.path for f in lh.MlflowClient().list_artifacts(run_id, "plots")}
    assert names == {"plots/rgb.png", "plots/grey.png", "plots/pil.jpg"}


def test_log_image_by_key_and_step(home: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = np.full((300, 20), 200, np.uint8)
    with lh.start_run() as run:
        lh.log_image(frame, key="train/frames", step=3)
    client = lh.MlflowClient()
    files = sorted(f.path for f in client.list_artifacts(run.info.run_id, "images"))
    assert len(files) == 2
    full, small = (f for f in files if f.endswith(".png")), (f for f in files if "compressed" in f)
    full_path, small_path = next(full), next(small)
    assert full_path.startswith("images/train~frames+step+3+timestamp+")
    assert small_path.endswith("+compressed.webp")
    assert _read(run.info.run_id, full_path, str(tmp_path)).shape == (300, 20)
    assert max(_read(run.info.run_id, small_path, str(tmp_path)).shape) == 256
    assert client.get_run(run.info.run_id).data.tags["mlflow.loggedImages"] == "True"


@pytest.mark.parametrize(
    ("image", "kwargs", "message"),
    [
        (np.zeros((2, 2)), {"artifact_file": "a.png", "step": 1}, "cannot be used in conjunction"),
        (np.zeros((2, 2)), {}, "specify exactly one of `artifact_file` or `key`"),
        (np.zeros((2, 2)), {"key": "a#b"}, "contains invalid characters"),
        (np.full((2, 2), 300), {"artifact_file": "a.png"}, r"out of acceptable range \[0, 255\]"),
        (np.zeros((2, 2, 2)), {"artifact_file": "a.png"}, "Invalid channel length: 2"),
        (np.zeros((2, 2, 3, 1)), {"artifact_file": "a.png"}, "must be a 2D or 3D array"),
        ("not an image", {"artifact_file": "a.png"}, "Unsupported image object type: str"),
        (np.zeros((2, 2)), {"artifact_file": "a.unknown"}, "cannot tell an image format"),
    ],
)
def test_log_image_refuses_bad_input_and_writes_nothing(
    home: str, image: object, kwargs: dict[str, object], message: str
) -> None:
    with lh.start_run() as run, pytest.raises(lh.InvalidArgumentError, match=message):
        lh.log_image(image, **kwargs)  # type: ignore[arg-type]
    assert lh.MlflowClient().list_artifacts(run.info.run_id) == []
