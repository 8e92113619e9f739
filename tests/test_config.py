"""Configuration: one typed object, one declared order, clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lakehouse import config
from lakehouse.errors import ConfigError


@pytest.fixture
def yaml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty YAML source, with values set by other tests hidden."""
    path = tmp_path / "lakehouse.yaml"
    monkeypatch.setenv("LAKEHOUSE_CONF", str(path))
    with config.config_overrides(clear=True):
        yield path


def test_order_argument_then_set_then_env_then_yaml_then_default(
    yaml_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert config.get_config().shuffle_partitions == config.Config().shuffle_partitions
    yaml_file.write_text("shuffle_partitions: 3\nhome: /tmp/from-yaml\n")
    assert config.get_config().shuffle_partitions == 3
    assert config.get_config().home == "file:///tmp/from-yaml"
    monkeypatch.setenv("LAKEHOUSE_SHUFFLE_PARTITIONS", "4")
    assert config.get_config().shuffle_partitions == 4
    with config.config_overrides(shuffle_partitions=5):
        assert config.get_config().shuffle_partitions == 5
        assert config.get_config(shuffle_partitions=6).shuffle_partitions == 6
    assert config.get_config().shuffle_partitions == 4


def test_unknown_yaml_key_names_the_key_and_the_known_ones(yaml_file: Path) -> None:
    yaml_file.write_text("hoem: /tmp/x\n")
    with pytest.raises(ConfigError) as err:
        config.get_config()
    assert "unknown configuration key 'hoem'" in str(err.value)
    assert str(yaml_file) in str(err.value)
    assert "home" in str(err.value) and "shuffle_partitions" in str(err.value)


def test_bad_values_are_refused_with_the_source(
    yaml_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_SHUFFLE_PARTITIONS", "many")
    with pytest.raises(ConfigError, match="LAKEHOUSE_SHUFFLE_PARTITIONS: shuffle_partitions must"):
        config.get_config()
    monkeypatch.delenv("LAKEHOUSE_SHUFFLE_PARTITIONS")
    yaml_file.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        config.get_config()


def test_home_is_kept_as_a_uri(yaml_file: Path, tmp_path: Path) -> None:
    with config.config_overrides(home=str(tmp_path / "root")):
        assert config.get_config().home_uri == (tmp_path / "root").as_uri()
    with config.config_overrides(home="s3://bucket/prefix/"):
        assert config.get_config().home_uri == "s3://bucket/prefix"
    with config.config_overrides(home="relative/dir"):
        assert config.get_config().home_uri == (Path.cwd() / "relative/dir").as_uri()


def test_spark_conf_from_env_and_yaml(yaml_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    yaml_file.write_text("spark_conf:\n  spark.driver.memory: 3g\n")
    assert config.get_config().spark_conf == {"spark.driver.memory": "3g"}
    monkeypatch.setenv("LAKEHOUSE_SPARK_CONF", "a=1,b=2")
    assert config.get_config().spark_conf == {"a": "1", "b": "2"}


def test_the_checked_in_conf_file_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = config.project_root() / "conf" / "lakehouse.yaml"
    monkeypatch.setenv("LAKEHOUSE_CONF", str(conf))
    assert config.get_config().home.startswith("file://")
