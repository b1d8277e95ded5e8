"""Every Python, TypeScript, Go and YAML code block of docs/resources, docs/functions and the
README, against this project's SDKs (doc_blocks.py says how blocks become programs)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from doc_blocks import Page, all_blocks, pages

from conftest import HERE, PULUMI, engine_env, run_python_programs, stack_config

PREAMBLE = (HERE / "programs" / "doc_preamble.py").read_text()
HEAD, BASE = PREAMBLE.split("_db = ", 1)
BASE = "_db = " + BASE
#: Stand-ins for what fragments use without defining it.
PY_STANDINS = {
    "pageviews": 'pageviews = _stream("pageviews")',
    "home_views": 'home_views = _stream("home_views")',
    "other_views": 'other_views = _stream("other_views")',
    "pageviews6": 'pageviews6 = _stream("pageviews6")',
    "q": (
        '_from, _to = _stream("q_from"), _stream("q_to")\n'
        'q = deltastream.Query("docQuery", source_relation_fqns=[_from.fqn], '
        "sink_relation_fqn=_to.fqn, sql=pulumi.Output.all(_to.fqn, _from.fqn).apply("
        'lambda f: f"INSERT INTO {f[0]} SELECT * FROM {f[1]};"))'
    ),
}


def undefined_names(source: str) -> list[str]:
    ruff = [sys.executable, "-m", "ruff", "check", "--select", "F821", "--output-format", "json"]
    found = subprocess.run(
        [*ruff, "--stdin-filename", "block.py", "-"],
        input=source,
        capture_output=True,
        text=True,
    )
    return sorted(
        {re.sub(r"Undefined name `(.*)`", r"\1", d["message"]) for d in json.loads(found.stdout)}
    )


def python_program(page: Page) -> tuple[str, list[str]]:
    """The page's program and the stand-ins it needed."""
    missing = undefined_names(HEAD + page.source)
    unknown = [name for name in missing if name not in PY_STANDINS]
    assert not unknown, f"{page.id} uses {unknown}, which neither it nor the preamble defines"
    standins = "\n".join(PY_STANDINS[name] for name in missing)
    return (HEAD + (BASE + standins + "\n" if missing else "") + page.source), missing


def config_keys(source: str) -> set[str]:
    return set(re.findall(r"require(?:_secret)?\(\"(\w+)\"\)", source))


def test_every_block_is_covered() -> None:
    counts = all_blocks()
    assert set(counts) <= {"python", "typescript", "go", "yaml", "sh"}, counts
    assert counts["python"] >= 10 and counts["typescript"] >= 10 and counts["go"] >= 10


def test_python_blocks_run(python_sdk_venv: Path, tmp_path: Path) -> None:
    doc_files(tmp_path / "work")
    files: list[Path | tuple[Path, Path]] = []
    config = stack_config()
    for page in pages("python"):
        source, _ = python_program(page)
        file = tmp_path / (page.path.stem + ".py")
        file.write_text(source)
        given = HERE / "programs" / f"doc_given_{page.path.stem}.py"
        files.append((file, given) if given.exists() else file)
        config.update({f"sdk-test:{key}": "doc-value" for key in config_keys(source)})
    results = run_python_programs(python_sdk_venv, files, tmp_path, config=config)
    failed = {
        page.id: r.get("error", "")[-1500:]
        for page, r in zip(pages("python"), results, strict=True)
        if not r["ok"]
    }
    assert not failed, json.dumps(failed, indent=1)


#: TypeScript stand-ins (programs/nodejs/standins.ts), by the names the docs use.
TS_STANDINS = {
    "pageviews": '_s.stream("pageviews")',
    "homeViews": '_s.stream("home_views")',
    "otherViews": '_s.stream("other_views")',
    "pageviews6": '_s.stream("pageviews6")',
    "q": "_s.query()",
}
TS_IMPORTS = {
    "pulumi": 'import * as pulumi from "@pulumi/pulumi";',
    "deltastream": 'import * as deltastream from "@deltastream/pulumi-deltastream";',
    "ds": 'import * as ds from "@deltastream/pulumi-deltastream";',
}


def declared(source: str, name: str) -> bool:
    return re.search(rf"(import \* as|const|let|var) {name}\b", source) is not None


def used(source: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){name}\b", source) is not None


def typescript_program(page: Page) -> str:
    """The page's blocks as one module, after what they use without declaring it."""
    source = page.source
    preamble = [
        line
        for name, line in TS_IMPORTS.items()
        if used(source, name) and not declared(source, name)
    ]
    if used(source, "cfg") and not declared(source, "cfg"):
        preamble.append("const cfg = new pulumi.Config();")
        if not any("as pulumi" in line for line in preamble) and not declared(source, "pulumi"):
            preamble.insert(0, TS_IMPORTS["pulumi"])
    standins = [n for n in TS_STANDINS if used(source, n) and not declared(source, n)]
    if standins:
        preamble.append('import * as _standins from "../standins";\nconst _s = _standins.make();')
        preamble += [f"const {n} = {TS_STANDINS[n]};" for n in standins]
    return "\n".join(preamble) + "\n" + source + "\nexport {};\n"


def doc_files(work: Path) -> None:
    """The files the examples read: a CA certificate and a Snowflake private key (stores), a
    protobuf descriptor set (descriptor sources) and a jar (function sources; deltastream-local
    takes any non-empty bytes)."""
    import trustme
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    (work / "certs").mkdir(parents=True)
    (work / "orders.desc").write_bytes(b"\n\x0e\n\x0corders.proto")
    (work / "udfs.jar").write_bytes(b"PK\x03\x04 a jar for the doc examples")
    trustme.CA().cert_pem.write_to_path(str(work / "certs" / "ca.pem"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (work / "rsa_key.p8").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def test_typescript_blocks_compile_strict_and_run(nodejs_project: Path, tmp_path: Path) -> None:
    prog = nodejs_project
    shutil.rmtree(prog / "pages", ignore_errors=True)
    (prog / "pages").mkdir()
    programs, config = [], stack_config()
    for page in pages("typescript"):
        source = typescript_program(page)
        (prog / "pages" / f"{page.path.stem}.ts").write_text(source)
        entry: dict[str, str] = {"path": str(prog / "bin" / "pages" / f"{page.path.stem}.js")}
        if (prog / f"doc_given_{page.path.stem}.ts").exists():
            entry["given"] = str(prog / "bin" / f"doc_given_{page.path.stem}.js")
        programs.append(entry)
        keys = re.findall(r"require(?:Secret)?\(\"(\w+)\"\)", source)
        config.update({f"sdk-test-ts:{key}": "doc-value" for key in keys})
    tsc = subprocess.run(
        ["npx", "tsc", "-p", "tsconfig.docs.json"], cwd=prog, capture_output=True, text=True
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr

    work = tmp_path / "work"
    doc_files(work)
    (tmp_path / "state").mkdir()
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"workDir": str(work), "config": config, "programs": programs}))
    env = {
        **engine_env(tmp_path),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
    }
    node = shutil.which("node")
    assert node is not None
    env["PATH"] = f"{Path(node).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        [node, prog / "bin" / "docs_runner.js", spec],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and len(results) == len(programs), done.stdout + done.stderr
    failed = {
        page.id: r.get("error", "")[-1500:]
        for page, r in zip(pages("typescript"), results, strict=True)
        if not r["ok"]
    }
    assert not failed, json.dumps(failed, indent=1)


GO_PROGRAMS = HERE / "programs"
#: The imports every Go page file has (each used, or blank-used, so none is unused).
GO_IMPORTS = {
    '"encoding/base64"': "base64.StdEncoding",
    '"os"': "os.ReadFile",
    'deltastream "github.com/deltastreaminc/pulumi-deltastream/sdk/go/pulumi-deltastream"': (
        "deltastream.NewStore"
    ),
    'ds "github.com/deltastreaminc/pulumi-deltastream/sdk/go/pulumi-deltastream"': "ds.NewStore",
    '"github.com/pulumi/pulumi/sdk/v3/go/pulumi"': "pulumi.Run",
    '"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"': "config.New",
}
GO_STANDINS = {
    "db": "_s.database()",
    "pageviews": '_s.stream("pageviews")',
    "homeViews": '_s.stream("home_views")',
    "otherViews": '_s.stream("other_views")',
    "pageviews6": '_s.stream("pageviews6")',
}
RUN = "pulumi.Run(func(ctx *pulumi.Context) error {"


def go_body(block: str) -> tuple[str, list[str]]:
    """A block as statements of a page function, and the imports it names. A complete program
    (package main, pulumi.Run) gives the body of its Run function, without its `return nil`."""
    if not block.startswith("package main"):
        return block, []
    imports = re.findall(r"^\s+((?:\w+ )?\"[^\"]+\")$", block.split(")", 1)[0], re.M)
    body = block[block.index(RUN) + len(RUN) : block.rindex("\n\t})")]
    body = body[: body.rindex("return nil")]
    return body, imports


def go_declared(source: str, name: str) -> bool:
    return re.search(rf"(^|\n)\s*[\w, ]*\b{name}\b[\w, ]* :?=", source) is not None


def go_page(page: Page, index: int) -> str:
    bodies, imports = zip(*(go_body(b) for b in page.blocks), strict=True)
    unknown = {i for found in imports for i in found} - set(GO_IMPORTS)
    assert not unknown, f"{page.id} imports {unknown}; add them to GO_IMPORTS"
    body = "\n".join(bodies)
    preamble = ["_s := &standins{ctx: ctx}", "_ = _s"]
    if used(body, "cfg") and not go_declared(body, "cfg"):
        preamble.append('cfg := config.New(ctx, "")')
    for name, make in GO_STANDINS.items():
        if used(body, name) and not go_declared(body, name):
            preamble.append(f"{name} := {make}\n_ = {name}")
    names = sorted(
        {
            n.strip()
            for m in re.finditer(r"(?m)^\s*([\w, ]+) :=", body)
            for n in m.group(1).split(",")
        }
    )
    blanks = [f"_ = {n}" for n in names if n != "_"]
    return (
        f"// {page.id}\nfunc page{index}(ctx *pulumi.Context) error {{\n"
        + "\n".join(preamble)
        + "\n"
        + body
        + "\n"
        + "\n".join(blanks)
        + "\nreturn nil\n}\n"
    )


def test_go_blocks_build_vet_and_run(tmp_path: Path) -> None:
    if shutil.which("go") is None:
        pytest.skip("no Go toolchain")
    module = tmp_path / "docs"
    module.mkdir()
    gomod = (GO_PROGRAMS / "go" / "go.mod").read_text()
    sdk = (HERE.parents[1] / "sdk").resolve()
    (module / "go.mod").write_text(re.sub(r"=> \S+", f"=> {sdk}", gomod))
    shutil.copy(GO_PROGRAMS / "go" / "go.sum", module / "go.sum")
    shutil.copy(GO_PROGRAMS / "go-docs" / "runner.go", module / "runner.go")
    go_pages = pages("go")
    header = "package main\n\nimport (\n" + "\n".join(f"\t{i}" for i in GO_IMPORTS) + "\n)\n\n"
    header += "".join(f"var _ = {use}\n" for use in GO_IMPORTS.values())
    entries = []
    for i, page in enumerate(go_pages):
        given = "givenGetObject" if page.path.stem == "getObject" else "nil"
        entries.append(f'\t{{name: "{page.id}", run: page{i}, given: {given}}},')
    table = "var pages = []page{\n" + "\n".join(entries) + "\n}\n"
    source = header + "\n" + table + "\n".join(go_page(p, i) for i, p in enumerate(go_pages))
    (module / "pages.go").write_text(source)
    go_env = {**os.environ, "GOFLAGS": "-mod=readonly"}
    for command in (["go", "build", "-o", "docs", "."], ["go", "vet", "."]):
        done = subprocess.run(command, cwd=module, env=go_env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr + "\n" + source

    work = tmp_path / "work"
    doc_files(work)
    (tmp_path / "state").mkdir()
    config = stack_config()
    for key in re.findall(r"Require(?:Secret)?\(\"(\w+)\"\)", source):
        config[f"sdk-test-go:{key}"] = "doc-value"
    env = {
        **engine_env(tmp_path),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "SDK_TEST_WORK_DIR": str(work),
        "SDK_TEST_CONFIG": json.dumps(config),
    }
    done = subprocess.run([module / "docs"], cwd=work, env=env, capture_output=True, text=True)
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and len(results) == len(go_pages), done.stdout + done.stderr
    failed = {r["page"]: r.get("error", "")[-1500:] for r in results if not r["ok"]}
    assert not failed, json.dumps(failed, indent=1)


YAML_STANDIN_STREAMS = {
    "pageviewsStream": "pageviews",
    "homeViews": "home_views",
    "otherViews": "other_views",
    "pageviews6Stream": "pageviews6",
}
YAML_SECTIONS = ("config", "variables", "resources", "outputs", "plugins")


def yaml_sections(block: str) -> dict[str, Any]:
    """A block's top-level sections; leading indented lines are entries of `resources`."""
    lines = block.splitlines()
    lead = 0
    while lead < len(lines) and (lines[lead].startswith(" ") or not lines[lead].strip()):
        lead += 1
    parsed: dict[str, Any] = yaml.safe_load("\n".join(lines[lead:])) or {}
    if lead:
        resources = yaml.safe_load(textwrap.dedent("\n".join(lines[:lead])))
        parsed["resources"] = {**resources, **parsed.get("resources", {})}
    unknown = set(parsed) - set(YAML_SECTIONS) - {"name", "runtime"}
    assert not unknown, f"a YAML block has sections {unknown}"
    return parsed


def yaml_program(page: Page) -> tuple[dict[str, Any], set[str]]:
    """The page's blocks merged into one Pulumi.yaml, and the config keys it declares."""
    program: dict[str, Any] = {"name": "sdk-test-yaml", "runtime": "yaml"}
    for block in page.blocks:
        for section, value in yaml_sections(block).items():
            if section in YAML_SECTIONS:
                program[section] = {**program.get(section, {}), **value}
    defined = {
        *program.get("resources", {}),
        *program.get("variables", {}),
        *program.get("config", {}),
    }
    text = yaml.safe_dump(program)
    referenced = {m.split(".")[0] for m in re.findall(r"\$\{([\w.]+)\}", text)}
    missing = referenced - defined
    streams = [n for n in missing if n in YAML_STANDIN_STREAMS]
    if streams:
        resources = program.setdefault("resources", {})
        resources.update(yaml.safe_load((HERE / "programs" / "doc_standins.yaml").read_text()))
        for name in streams:
            table = YAML_STANDIN_STREAMS[name]
            resources[name] = {
                "type": "deltastream:DeltaStreamObject",
                "properties": {
                    "database": "${docDb.name}",
                    "namespace": "public",
                    "store": "${docKafka.name}",
                    "sql": f"CREATE STREAM {table} (viewtime BIGINT, userid VARCHAR, "
                    f"pageid VARCHAR) WITH ('topic'='{table}','value.format'='json');",
                },
            }
    secrets = missing - set(streams)  # a fragment's ${ccKey}: config of the page's first block
    config = program.setdefault("config", {})
    config.update({name: {"type": "string", "secret": True} for name in secrets})
    return program, set(config)


def test_yaml_blocks_run(tmp_path: Path) -> None:
    if shutil.which("pulumi-language-yaml", path=str(PULUMI.parent)) is None:
        pytest.skip("no pulumi-language-yaml next to the pinned CLI")
    plugin_dir = Path(sys.executable).parent
    # The README's `plugins: path: ../../.venv/bin` holds from a project two folders down.
    project = tmp_path / "repo" / "examples" / "docs"
    project.mkdir(parents=True)
    (tmp_path / "repo" / ".venv").mkdir()
    (tmp_path / "repo" / ".venv" / "bin").symlink_to(plugin_dir)
    doc_files(project)
    env = {
        **os.environ,
        **engine_env(tmp_path, with_plugin=False),  # found through Pulumi.yaml's plugins
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
    }
    (tmp_path / "state").mkdir()
    readme_plugins = next(
        yaml_sections(b)["plugins"] for p in pages("yaml") for b in p.blocks if "plugins:" in b
    )

    def pulumi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PULUMI), *args, "--stack", "test", "--non-interactive"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )

    def up(program: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        manifest = {"runtime": "yaml", **program, "plugins": readme_plugins}
        (project / "Pulumi.yaml").write_text(yaml.safe_dump(manifest))
        return pulumi("up", "--yes", "--skip-preview")

    (project / "Pulumi.yaml").write_text("name: sdk-test-yaml\nruntime: yaml\n")
    assert pulumi("stack", "init").returncode == 0
    pulumi("config", "set", "deltastream:server", "local")
    failed = {}
    for page in pages("yaml"):
        program, keys = yaml_program(page)
        for key in keys:
            pulumi("config", "set", "--secret", key, "doc-value")
        given = HERE / "programs" / f"doc_given_{page.path.stem}.yaml"
        if given.exists():
            setup = up(
                {"name": "sdk-test-yaml", "runtime": "yaml", **yaml.safe_load(given.read_text())}
            )
            assert setup.returncode == 0, setup.stdout + setup.stderr
        done = up(program)
        if done.returncode != 0:
            failed[page.id] = (done.stdout + done.stderr)[-1500:]
        destroyed = pulumi("destroy", "--yes", "--skip-preview")
        assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
    assert not failed, json.dumps(failed, indent=1)
