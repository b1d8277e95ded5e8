"""DescriptorSource: ``deltastream:index:DescriptorSource`` (a compiled protobuf descriptor
set that entities' key and value descriptors come from) and the getDescriptorSource/
getDescriptorSources lookups.

``CREATE DESCRIPTOR_SOURCE "n" WITH ('file' = '<basename>', 'description' = '…')`` sends
the file as the multipart attachment of that basename (as dbt-deltastream does). There is no
update statement, so every change is a replacement; readiness and lookups read
``deltastream.sys."descriptor_sources"`` (an assumption, modelled on the documented
``function_sources`` table: docs/reference/other-kinds.md#descriptor-sources).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import attrs

from deltastream_core import name_input, name_lookups, owner_input, registering
from deltastream_core.catalog import CatalogKind, Column, column
from deltastream_core.kinds import CheckFailure, CheckResult, OperationContext
from deltastream_core.model import output, prop
from deltastream_core.ports import Statement
from deltastream_core.rows import rfc3339
from deltastream_core.sql import quote_identifier
from deltastream_core.withclause import Pair, with_statement

TOKEN = "deltastream:index:DescriptorSource"


def _file_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        return (
            f"{value!r} is not a readable file; give the path of a descriptor set compiled "
            "with `protoc --descriptor_set_out=<file>.desc`"
        )
    return None


@attrs.frozen
class DescriptorSourceInputs:
    file: str | None = prop(
        "Path of the compiled protobuf descriptor set (a .desc file), read when the source "
        "is created and sent as an attachment named after the file. Changing the path "
        "replaces the source (a new file content under the same path is not noticed: use a "
        "versioned file name, or `pulumi up --replace`). Required to create a source; an "
        "imported one may leave it out.",
        default=None,
        replace=True,
        check=_file_problem,
        # never read back: an imported source has none, and leaving it out keeps the file
        keep_when_absent=True,
    )
    name: str | None = name_input("descriptor source", "source")
    description: str | None = prop(
        "Description of the descriptor source; changing it replaces the source.",
        default=None,
        replace=True,
    )
    owner: str | None = owner_input("source")


@attrs.frozen
class DescriptorSourceOutputs(DescriptorSourceInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    status: str | None = output("Status of the descriptor source (ready once usable).")
    created_at: str | None = output("When the descriptor source was created (RFC 3339).")
    updated_at: str | None = output("When the descriptor source was last changed (RFC 3339).")


class DescriptorSourceKind(CatalogKind[DescriptorSourceInputs, DescriptorSourceOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A descriptor source: a compiled protobuf descriptor set whose descriptors decode "
        "entities' keys and values. Every change is a replacement. Import with its name (the "
        "file path cannot be read back)."
    )
    inputs = DescriptorSourceInputs
    outputs = DescriptorSourceOutputs
    required_outputs: ClassVar[tuple[str, ...]] = ("name",)
    #: an imported source has no file path
    optional_outputs: ClassVar[tuple[str, ...]] = ("file",)
    system_table: ClassVar[str] = "descriptor_sources"
    noun: ClassVar[str] = "descriptor source"
    key: ClassVar[tuple[Column, ...]] = (column("name"),)
    columns: ClassVar[tuple[Column, ...]] = (
        column("description"),
        column("owner"),
        column("status"),
        column("created_at", convert=rfc3339),
        column("updated_at", convert=rfc3339),
    )
    state_column: ClassVar[str | None] = "status"
    ready_states: ClassVar[frozenset[str]] = frozenset({"ready"})
    failed_states: ClassVar[frozenset[str]] = frozenset({"error", "errored", "failed"})
    autoname_field: ClassVar[str | None] = "name"
    #: an imported source has no known file: naming one afterwards is not a change
    first_named: ClassVar[frozenset[str]] = frozenset({"file"})

    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> CheckResult:
        """``file`` is required unless the source already exists without a known file (it
        was imported: DeltaStream never returns the file's path)."""
        result = await super().check(ctx, olds, news)
        if news.get("file") in (None, "") and not olds:
            missing = CheckFailure("file", "is required (the path of a .desc file)")
            return attrs.evolve(result, failures=(*result.failures, missing))
        return result

    def create_statement(self, args: DescriptorSourceInputs) -> Statement:
        path = Path(str(args.file)).expanduser()
        pairs = [Pair.attached("file", path.name, args.file, path.read_bytes, secret=False)]
        if args.description is not None:
            pairs.append(Pair.text("description", args.description))
        return with_statement(f"CREATE DESCRIPTOR_SOURCE {quote_identifier(str(args.name))}", pairs)

    def drop_statement(self, key: tuple[str, ...]) -> str:
        return f"DROP DESCRIPTOR_SOURCE {quote_identifier(key[0])};"


# -- lookups ---------------------------------------------------------------------------------


@attrs.frozen
class GetDescriptorSourceResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetDescriptorSourceResult"
    name: str = output("Name of the descriptor source.")
    description: str | None = output("Description of the descriptor source.")
    owner: str = output("Owning role of the descriptor source.")
    status: str = output("Status of the descriptor source.")
    created_at: str = output("When the descriptor source was created (RFC 3339).")
    updated_at: str = output("When the descriptor source was last changed (RFC 3339).")


GetDescriptorSource, GetDescriptorSources = name_lookups(
    DescriptorSourceKind,
    GetDescriptorSourceResult,
    items="descriptor_sources",
    narrower="look up a single source with getDescriptorSource",
)


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[DescriptorSourceKind], functions=[GetDescriptorSource, GetDescriptorSources]
)
