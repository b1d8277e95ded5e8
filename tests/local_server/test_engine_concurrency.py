"""Many threads on one engine: no lost or torn updates, and never an internal error."""

from __future__ import annotations

import threading
from pathlib import Path

from deltastream_local.engine import SessionContext, create_engine


def test_concurrent_ddl_and_reads(tmp_path: Path) -> None:
    engine = create_engine(str(tmp_path / "catalog.sqlite"))
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        context = SessionContext()
        for n in range(20):
            name = f"db{n}"  # every thread races for the same 20 names
            outcome = engine.execute(f'CREATE DATABASE "{name}"', context, {})
            read = engine.execute('SELECT name FROM deltastream.sys."databases"', context, {})
            with lock:
                outcomes.append((name, outcome.sql_state))
                outcomes.append(("read", read.sql_state))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {state for _, state in outcomes} <= {"00000", "42P04"}
    created = [name for name, state in outcomes if state == "00000" and name != "read"]
    assert sorted(created) == sorted(f"db{n}" for n in range(20))  # each won exactly once
    rows = engine.execute('SELECT name FROM deltastream.sys."schemas"', SessionContext(), {}).rows
    assert len(rows) == 20  # every database got its public schema, none torn
    engine.close()
