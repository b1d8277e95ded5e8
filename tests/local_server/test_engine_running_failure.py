"""A running query can be made to fail later (fail_running_queries_matching), for good."""

from deltastream_local.engine import Engine, EngineOptions, Outcome, SessionContext, create_engine

DEFAULT = SessionContext()


def _run(engine: Engine, sql: str, ctx: SessionContext = DEFAULT) -> Outcome:
    outcome = engine.execute(sql, ctx, {})
    assert outcome.ok, (sql, outcome.message)
    return outcome


def _state(engine: Engine, query_id: str) -> tuple[str | None, ...]:
    rows = _run(
        engine,
        'SELECT current_state, error_message FROM deltastream.sys."queries" '
        f"WHERE id = '{query_id}';",
    ).rows
    return tuple(rows[0])


def test_running_query_errors_later_and_stays_errored() -> None:
    engine = create_engine(":memory:", EngineOptions())
    _run(engine, "CREATE DATABASE d;")
    _run(
        engine,
        "CREATE STORE k WITH ('type' = KAFKA, 'uris' = 'h:9092', "
        "'kafka.sasl.hash_function' = NONE);",
    )
    ctx = SessionContext(database="d", schema="public", store="k")
    _run(engine, "CREATE STREAM src (a VARCHAR) WITH ('topic' = 'src');", ctx)
    _run(engine, "CREATE STREAM dst (a VARCHAR) WITH ('topic' = 'dst');", ctx)
    keep = _run(engine, "INSERT INTO dst SELECT a FROM src;", ctx).rows[0][1]
    doomed = _run(engine, "INSERT INTO dst SELECT a AS doomed FROM src;", ctx).rows[0][1]
    assert _state(engine, doomed) == ("running", None)

    engine.options.fail_running_queries_matching = "doomed"
    state, error = _state(engine, doomed)
    assert state == "errored" and "simulated failure" in (error or "")
    assert _state(engine, keep) == ("running", None)

    engine.options.fail_running_queries_matching = None
    assert _state(engine, doomed)[0] == "errored"  # the failure persists
