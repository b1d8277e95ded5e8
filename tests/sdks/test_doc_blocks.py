"""Every Python, TypeScript, Go and YAML code block of docs/resources, docs/functions and the
README, against this project's SDKs (doc_blocks.py says how blocks become programs)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from doc_blocks import Page, all_blocks, pages

from conftest import HERE, run_python_programs, stack_config

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
    import trustme
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    work = tmp_path / "work"
    (work / "certs").mkdir(parents=True)
    trustme.CA().cert_pem.write_to_path(str(work / "certs" / "ca.pem"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (work / "rsa_key.p8").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
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
