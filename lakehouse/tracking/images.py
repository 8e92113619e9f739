"""``log_image``: numpy arrays and PIL images saved as run artifacts, as MLflow does.

Two forms, MLflow's: ``artifact_file="plots/x.png"`` saves one file (format from the
extension); ``key="dogs", step=3`` saves ``images/<key>+step+<step>+timestamp+<ms>+<uuid>.png``
and a small ``...+compressed.webp`` beside it, and tags the run ``mlflow.loggedImages``.
Pillow is imported when an image is logged (``pip install pillow``).
"""

from __future__ import annotations

import io
import re
import time
import uuid
import warnings
from typing import Any

from lakehouse.errors import InvalidArgumentError

__all__ = ["image_files", "to_pil"]

_KEY = re.compile(r"^[a-zA-Z0-9_\-./ ]+$")
_THUMBNAIL = 256
_KINDS = {"b": "bool", "i": "signed integer", "u": "unsigned integer", "f": "floating"}


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - pillow comes with matplotlib
        raise InvalidArgumentError(
            "log_image needs Pillow to write images: pip install pillow"
        ) from exc
    return Image


def _uint8(x: Any) -> Any:
    import numpy as np

    is_int = np.issubdtype(x.dtype, np.integer)
    high = 255 if is_int else 1
    if x.size and (x.min() < 0 or x.max() > high):
        if is_int:
            raise InvalidArgumentError(
                "Integer pixel values out of acceptable range [0, 255]. Found minimum value "
                f"{x.min()} and maximum value {x.max()}. Ensure all pixel values are within "
                "the specified range."
            )
        warnings.warn(
            "Float pixel values out of acceptable range [0.0, 1.0]. Found minimum value "
            f"{x.min()} and maximum value {x.max()}. Rescaling values to [0.0, 1.0] with "
            "min/max scaler.",
            stacklevel=4,
        )
        x = (x - x.min()) / (x.max() - x.min())
    if not is_int:
        x = x * 255
    return x.astype(np.uint8)


def to_pil(image: Any) -> Any:
    """A PIL image from a numpy array (2-D, or 3-D with 1, 3 or 4 channels) or a PIL image."""
    import numpy as np

    pil = _pil()
    if isinstance(image, pil.Image):
        return image
    if not isinstance(image, np.ndarray):
        raise InvalidArgumentError(
            f"Unsupported image object type: {type(image).__name__}. `image` must be a "
            "numpy.ndarray or a PIL.Image.Image."
        )
    if image.dtype.kind not in _KINDS:
        raise InvalidArgumentError(
            f"Invalid array data type: '{image.dtype}'. Must be one of {list(_KINDS.values())}"
        )
    if image.ndim not in (2, 3):
        raise InvalidArgumentError(
            f"`image` must be a 2D or 3D array but got image shape: {image.shape}"
        )
    if image.ndim == 3 and image.shape[2] not in (1, 3, 4):
        raise InvalidArgumentError(
            f"Invalid channel length: {image.shape[2]}. Must be one of [1, 3, 4]"
        )
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    return pil.fromarray(_uint8(image))


def _encode(image: Any, name: str) -> bytes:
    buffer = io.BytesIO()
    fmt = _pil().registered_extensions().get("." + name.rsplit(".", 1)[-1].lower())
    if fmt is None:
        raise InvalidArgumentError(
            f"log_image cannot tell an image format from {name!r}; end the file name with "
            ".png, .jpg, .webp or another image extension"
        )
    if fmt == "JPEG" and image.mode in ("RGBA", "P"):
        image = image.convert("RGB")
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def image_files(
    image: Any,
    artifact_file: str | None = None,
    key: str | None = None,
    step: int | None = None,
    timestamp: int | None = None,
) -> dict[str, bytes]:
    """The artifact files (relative path -> bytes) ``log_image`` writes for these arguments."""
    if artifact_file is not None and any(a is not None for a in (key, step, timestamp)):
        raise InvalidArgumentError(
            "The `artifact_file` parameter cannot be used in conjunction with `key`, `step`, "
            "or `timestamp` parameters. Please ensure that `artifact_file` is specified alone, "
            "without any of these conflicting parameters."
        )
    if artifact_file is None and key is None:
        raise InvalidArgumentError(
            "Invalid arguments: Please specify exactly one of `artifact_file` or `key`. Use "
            "`key` to log dynamic image charts or `artifact_file` for saving static images."
        )
    pil_image = to_pil(image)
    if artifact_file is not None:
        return {artifact_file: _encode(pil_image, artifact_file)}
    assert key is not None
    if not _KEY.match(key):
        raise InvalidArgumentError(
            "The `key` parameter may only contain alphanumerics, underscores (_), dashes (-), "
            f"periods (.), spaces ( ), and slashes (/). The provided key `{key}` contains "
            "invalid characters."
        )
    ts = timestamp or int(time.time() * 1000)
    stem = f"images/{key.replace('/', '~')}+step+{step or 0}+timestamp+{ts}+{uuid.uuid4()}"
    small = pil_image.copy()
    small.thumbnail((_THUMBNAIL, _THUMBNAIL))
    return {
        f"{stem}.png": _encode(pil_image, f"{stem}.png"),
        f"{stem}+compressed.webp": _encode(small, f"{stem}+compressed.webp"),
    }
