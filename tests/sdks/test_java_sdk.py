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
REACTOR = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sdktest</groupId>
  <artifactId>reactor</artifactId>
  <version>0.0.0</version>
  <packaging>pom</packaging>
  <modules><module>sdk</module><module>program</module></modules>
</project>
"""

if shutil.which("mvn") is None or shutil.which("java") is None:
    pytest.skip("no Java toolchain (mvn, java)", allow_module_level=True)


def test_java_sdk_compiles_and_a_java_program_runs(tmp_path: Path) -> None:
    reactor = tmp_path / "reactor"
    shutil.copytree(SDK / "java", reactor / "sdk")
    shutil.copytree(PROGRAM, reactor / "program")
    (reactor / "pom.xml").write_text(REACTOR)
    build = subprocess.run(
        ["mvn", "-q", "-B", "package", "dependency:build-classpath", "-Dmdep.outputFile=cp.txt"],
        cwd=reactor,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-2000:]
    assert (reactor / "sdk" / "target" / "pulumi-deltastream-py-sdk-0.1.0.jar").exists()

    classpath = os.pathsep.join(
        [
            str(reactor / "program" / "target" / "classes"),
            (reactor / "program" / "cp.txt").read_text(),
        ]
    )
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
        [java, "-cp", classpath, "sdktest.App"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    outputs = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert outputs == {
        "columns": "viewtime,userid",
        "queryCount": "0",
        "storeTypes": "Kinesis,ConfluentKafka",
    }
