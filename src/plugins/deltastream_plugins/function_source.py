"""FunctionSource: ``deltastream:index:FunctionSource`` (a jar of user-defined functions)
and the getFunctionSource/getFunctionSources lookups. The jar at ``file`` is read at apply
time and sent as a multipart attachment named after its base name, which the WITH clause's
``'file'`` names (as dbt-deltastream does). There is no update statement: every change
replaces the source. A source whose jar DeltaStream cannot load ends in ``error``; the create
then fails and the source is dropped (docs/reference/other-kinds.md#function-sources).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import attrs

from deltastream_core import name_input, name_lookups, owner_input, registering
from deltastream_core.catalog import CatalogKind, Column, column
from deltastream_core.errors import ObjectFailedError
from deltastream_core.kinds import CheckResult, OperationContext
from deltastream_core.model import output, prop
from deltastream_core.ports import Statement
from deltastream_core.rows import Row, rfc3339
from deltastream_core.sql import quote_identifier
from deltastream_core.withclause import Pair, with_statement

TOKEN = "deltastream:index:FunctionSource"


def file_problem(value: str) -> str | None:
    """Why ``file`` cannot be sent: it must be a readable ``.jar`` file."""
    path = Path(value).expanduser()
    if not path.name.lower().endswith(".jar"):
        return f"{value!r} is not a .jar file; give the path of the jar holding the functions"
    if not path.is_file():
        return f"{value!r} is not a readable file; give the path of the jar (read at apply time)"
    return None


@attrs.frozen
class FunctionSourceInputs:
    file: str = prop(
        "Local path of the jar holding the functions, read at apply time and sent as an "
        "attachment named after its base name. Changing the path replaces the source (a new "
        "jar under the same path is not noticed: give each version its own file name).",
        replace=True,
        check=file_problem,
    )
    name: str | None = name_input("function source", "source")
    description: str | None = prop(
        "Description of the function source.", default=None, replace=True
    )
    owner: str | None = owner_input("source")


@attrs.frozen
class FunctionSourceOutputs(FunctionSourceInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    language: str | None = output("Language of the functions in the jar (java).")
    status: str | None = output("Status of the source: ready once its jar is loaded.")
    download_url: str | None = output("Where DeltaStream serves the jar back.")
    created_at: str | None = output("When the source was created (RFC 3339).")
    updated_at: str | None = output("When the source was last changed (RFC 3339).")


def _jar(path: str) -> Pair:
    file = Path(path).expanduser()
    return Pair.attached("file", file.name, path, file.read_bytes, secret=False)


class FunctionSourceKind(CatalogKind[FunctionSourceInputs, FunctionSourceOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A function source: a jar of Java user-defined functions that functions name. Every "
        "change is a replacement. Import with its name (the jar cannot be read back)."
    )
    inputs = FunctionSourceInputs
    outputs = FunctionSourceOutputs
    required_outputs: ClassVar[tuple[str, ...]] = ("name",)
    system_table: ClassVar[str] = "function_sources"
    noun: ClassVar[str] = "function source"
    key: ClassVar[tuple[Column, ...]] = (column("name"),)
    columns: ClassVar[tuple[Column, ...]] = (
        column("language"),
        column("status"),
        column("description"),
        column("download_url"),
        column("owner"),
        column("created_at", convert=rfc3339),
        column("updated_at", convert=rfc3339),
    )
    state_column: ClassVar[str | None] = "status"
    ready_states: ClassVar[frozenset[str]] = frozenset({"ready"})
    failed_states: ClassVar[frozenset[str]] = frozenset({"error", "errored", "failed"})
    autoname_field: ClassVar[str | None] = "name"
    #: imported: the program's path is the first one known, not a change of jar
    first_named: ClassVar[frozenset[str]] = frozenset({"file"})

    def create_statement(self, args: FunctionSourceInputs) -> Statement:
        pairs = [_jar(args.file)]
        if args.description is not None:
            pairs.append(Pair.text("description", args.description))
        return with_statement(f"CREATE FUNCTION_SOURCE {quote_identifier(str(args.name))}", pairs)

    def drop_statement(self, key: tuple[str, ...]) -> str:
        return f"DROP FUNCTION_SOURCE {quote_identifier(key[0])};"

    def outputs_from_row(
        self, row: Row, args: FunctionSourceInputs | None = None
    ) -> FunctionSourceOutputs:
        if args is None:  # import: the jar is not read back, so its path is not known
            args = FunctionSourceInputs(file="")
        return super().outputs_from_row(row, args)

    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> CheckResult:
        result = await super().check(ctx, olds, news)
        if olds.get("file") == "" and news.get("file") == "":
            # `pulumi import` checks the inputs read back, which cannot hold the jar's path
            kept = tuple(f for f in result.failures if f.property != "file")
            return CheckResult(result.inputs, kept)
        return result

    async def create(
        self, ctx: OperationContext, args: FunctionSourceInputs
    ) -> FunctionSourceOutputs:
        try:
            return await super().create(ctx, args)
        except ObjectFailedError as exc:
            if exc.resource_id is not None:
                raise
            raise ObjectFailedError(
                f"DeltaStream could not load the jar {Path(args.file).name!r} for function "
                f"source {args.name!r} ({exc}); the source was dropped. Check that the file "
                "is a valid jar of Java functions."
            ) from exc


# -- lookups --------------------------------------------------------------------------------


@attrs.frozen
class GetFunctionSourceResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetFunctionSourceResult"
    name: str = output("Name of the function source.")
    language: str = output("Language of the functions in the jar.")
    status: str = output("Status of the source.")
    description: str | None = output("Description of the source.")
    download_url: str = output("Where DeltaStream serves the jar back.")
    owner: str = output("Owning role of the source.")
    created_at: str = output("When the source was created (RFC 3339).")
    updated_at: str = output("When the source was last changed (RFC 3339).")


GetFunctionSource, GetFunctionSources = name_lookups(
    FunctionSourceKind,
    GetFunctionSourceResult,
    items="function_sources",
    narrower="look up a single source with getFunctionSource",
)


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[FunctionSourceKind], functions=[GetFunctionSource, GetFunctionSources]
)
