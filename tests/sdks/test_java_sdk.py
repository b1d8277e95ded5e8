"""The Java SDK with its own toolchain: sdk/java compiles with Maven (dependencies from Maven
Central) in one reactor with a small Java program on it, which then runs under the real engine
(the Java SDK's Automation API)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import HERE, SDK, engine_env

PROGRAM = HERE / "programs" / "java"
EXAMPLE = HERE.parents[1] / "examples" / "quickstart-java"
REACTOR = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sdktest</groupId>
  <artifactId>reactor</artifactId>
  <version>0.0.0</version>
  <packaging>pom</packaging>
  <modules>{modules}</modules>
</project>
"""

if shutil.which("mvn") is None or shutil.which("java") is None:
    pytest.skip("no Java toolchain (mvn, java)", allow_module_level=True)


def build(tmp_path: Path, *, example: bool = False) -> tuple[Path, str]:
    """sdk/java and the test program (and examples/quickstart-java) in one Maven reactor, so
    the SDK needs no install; returns the reactor and the program's classpath."""
    reactor = tmp_path / "reactor"
    shutil.copytree(SDK / "java", reactor / "sdk")
    shutil.copytree(PROGRAM, reactor / "program")
    modules = ["sdk", "program"]
    if example:
        shutil.copytree(EXAMPLE, reactor / "example")
        modules.append("example")
        # the program module runs the example's program: it needs its classes
        pom = (reactor / "program" / "pom.xml").read_text()
        dependency = (
            "<dependency><groupId>quickstart</groupId><artifactId>quickstart-java</artifactId>"
            "<version>0.0.0</version></dependency>\n    <dependency>"
        )
        (reactor / "program" / "pom.xml").write_text(pom.replace("<dependency>", dependency, 1))
    (reactor / "pom.xml").write_text(
        REACTOR.format(modules="".join(f"<module>{m}</module>" for m in modules))
    )
    done = subprocess.run(
        ["mvn", "-q", "-B", "package", "dependency:build-classpath", "-Dmdep.outputFile=cp.txt"],
        cwd=reactor,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    program = reactor / "program"
    classpath = os.pathsep.join(
        [str(program / "target" / "classes"), (program / "cp.txt").read_text()]
    )
    return reactor, classpath


def run(tmp_path: Path, classpath: str, *args: str) -> dict[str, str]:
    (tmp_path / "work").mkdir()
    (tmp_path / "state").mkdir()
    env = {
        **engine_env(tmp_path),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "SDK_TEST_WORK_DIR": str(tmp_path / "work"),
    }
    java = shutil.which("java")
    assert java is not None
    done = subprocess.run(
        [java, "-cp", classpath, "sdktest.App", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def test_java_sdk_compiles_and_a_java_program_runs(tmp_path: Path) -> None:
    reactor, classpath = build(tmp_path)
    assert (reactor / "sdk" / "target" / "pulumi-deltastream-py-sdk-0.1.0.jar").exists()
    assert run(tmp_path, classpath) == {
        "columns": "viewtime,userid",
        "queryCount": "0",
        "storeTypes": "Kinesis,ConfluentKafka",
    }


def test_the_java_example_compiles_and_its_program_runs(tmp_path: Path) -> None:
    if not EXAMPLE.exists():
        pytest.skip("no examples/quickstart-java")
    _, classpath = build(tmp_path, example=True)
    outputs = run(tmp_path, classpath, "quickstart.App")
    assert outputs["namespace"] == "raw"
    assert outputs["clicksType"] == "Kinesis"
