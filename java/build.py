"""Set up the JVM side once: fetch the Delta jars, then compile the project's Java.

Run by ``make`` (``python java/build.py``). Steps, each skipped when its output is
current, so a second run takes well under a second and needs no network:

1. Resolve ``io.delta:delta-spark_4.2_2.13:4.4.0`` and its runtime closure with
   Maven into a project-local repository (``.cache/m2``).
2. Keep only the jars whose *artifact name* pyspark's own ``jars/`` lacks: the
   POM pulls older jackson, parquet, hadoop and log4j jars that must not shadow
   Spark's (delta-io/delta#7415). The kept set is checked against
   ``java/jars.lock`` (artifact file and sha256); a mismatch is an error.
3. Compile ``java/src`` against pyspark's jars and the kept jars into
   ``.cache/jars/lakehouse-jvm.jar``.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = ROOT / ".cache"
JARS = CACHE / "jars"
LOCK = HERE / "jars.lock"
JVM_JAR = JARS / "lakehouse-jvm.jar"
_ARTIFACT = re.compile(r"^(?P<name>.+?)-(?P<version>\d[^/]*)\.jar$")


def artifact_name(file_name: str) -> str:
    match = _ARTIFACT.match(file_name)
    return match.group("name") if match else file_name.removesuffix(".jar")


def pyspark_jars() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent / "jars"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_lock() -> dict[str, str]:
    if not LOCK.is_file():
        return {}
    rows = [line.split() for line in LOCK.read_text().splitlines() if line and line[0] != "#"]
    return {name: digest for name, digest in rows}


def cache_is_current(lock: dict[str, str]) -> bool:
    if not lock:
        return False
    return all((JARS / name).is_file() for name in lock)


def fetch() -> None:
    everything = CACHE / "jars-all"
    print("lakehouse setup: resolving delta-spark jars with Maven (once) ...", flush=True)
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(HERE / "pom.xml"),
            f"-Dmaven.repo.local={CACHE / 'm2'}",
            "dependency:copy-dependencies",
            f"-DoutputDirectory={everything}",
            "-DincludeScope=runtime",
        ],
        check=True,
    )
    spark_has = {artifact_name(p.name) for p in pyspark_jars().glob("*.jar")}
    JARS.mkdir(parents=True, exist_ok=True)
    kept = []
    for jar in sorted(everything.glob("*.jar")):
        if artifact_name(jar.name) not in spark_has:
            shutil.copy2(jar, JARS / jar.name)
            kept.append(jar.name)
    print(f"lakehouse setup: kept {len(kept)} jars pyspark lacks, in {JARS}", flush=True)


def verify(lock: dict[str, str]) -> None:
    jars = {p.name: sha256(p) for p in JARS.glob("*.jar") if p != JVM_JAR}
    if not lock:
        lines = ["# jars passed on spark.jars beside pyspark's own (file sha256)"]
        lines += [f"{name} {digest}" for name, digest in sorted(jars.items())]
        LOCK.write_text("\n".join(lines) + "\n")
        print(f"lakehouse setup: wrote {LOCK}")
        return
    bad = [n for n, d in lock.items() if jars.get(n) != d]
    if bad:
        sys.exit(
            f"lakehouse setup: jars differ from {LOCK}: {', '.join(bad)}; "
            f"delete {JARS} and run again"
        )


def compile_java() -> None:
    sources = sorted((HERE / "src").rglob("*.java"))
    newest = max(p.stat().st_mtime for p in sources)
    if JVM_JAR.is_file() and JVM_JAR.stat().st_mtime >= newest:
        return
    print("lakehouse setup: compiling the project's Java ...", flush=True)
    classpath = ":".join([str(pyspark_jars() / "*"), str(JARS / "*")])
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [
                "javac",
                "-nowarn",
                "-source",
                "17",
                "-target",
                "17",
                "-cp",
                classpath,
                "-d",
                out,
                *map(str, sources),
            ],
            check=True,
        )
        tmp_jar = JVM_JAR.with_suffix(".tmp")
        subprocess.run(["jar", "cf", str(tmp_jar), "-C", out, "."], check=True)
        tmp_jar.replace(JVM_JAR)
    print(f"lakehouse setup: built {JVM_JAR}", flush=True)


def main() -> None:
    lock = read_lock()
    if not cache_is_current(lock):
        fetch()
    verify(lock)
    compile_java()


if __name__ == "__main__":
    main()
