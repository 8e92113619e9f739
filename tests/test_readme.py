"""The README's ```python examples run, in order, against a fresh root."""

from __future__ import annotations

import re

from lakehouse import config

README = config.project_root() / "README.md"


def python_blocks() -> list[str]:
    # ```python blocks are executed; ```py blocks are shown only (e.g. need a cluster).
    return re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.S | re.M)


def test_readme_examples_run(home: str, spark, capsys) -> None:  # type: ignore[no-untyped-def]
    blocks = python_blocks()
    assert blocks, "the README has no runnable examples"
    scope: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), scope)  # noqa: S102
