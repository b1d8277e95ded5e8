"""Function: ``deltastream:index:Function`` (a Java user-defined function in a function
source) and the getFunction/getFunctions lookups. Functions overload, so one is identified
by its signature, ``name(arg TYPE, ...)``: that is its id, and the drop names it. There is no
update statement: every change replaces the function. A create while the source's jar is
still being processed answers 3D018; it is retried until the source is ready
(docs/reference/other-kinds.md#functions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from deltastream_core import registering
from deltastream_core.catalog import CatalogKind, CatalogListing, CatalogLookup, Column, column
from deltastream_core.errors import ObjectFailedError, StatementError, ValidationError
from deltastream_core.kinds import CheckFailure, CheckResult, OperationContext
from deltastream_core.model import output, prop
from deltastream_core.ports import Statement
from deltastream_core.rows import Row, check_name, first_or_none, rfc3339, select
from deltastream_core.sql import quote_identifier, quote_literal
from deltastream_core.waiting import Backoff, wait_until
from deltastream_core.withclause import Pair, with_statement

TOKEN = "deltastream:index:Function"
LANGUAGES = ("JAVA",)
#: the answer to a CREATE FUNCTION while its source is not ready (or does not exist)
SOURCE_NOT_READY = "3D018"
#: dbt-deltastream's retry: from 2 s, times 1.5, at most 10 s apart (here from 1 s, and until
#: the step's deadline rather than 30 s: a big jar may take longer)
#: the states of a source that will never be ready (the function source kind's)
SOURCE_FAILED = frozenset({"error", "errored", "failed"})
RETRY = Backoff(first=1.0, factor=1.5, cap=10.0)

_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
#: a type: words, numbers and the punctuation of ARRAY<…>, MAP<…, …>, DECIMAL(p, s)
_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_ <>(),]*\Z")


def _name_problem(value: str) -> str | None:
    if _NAME.match(value):
        return None
    return "must be a lower-case identifier (letters, digits, _; not starting with a digit)"


def normalize_type(value: str) -> str:
    """``array< integer >`` → ``ARRAY<INTEGER>``; ``decimal(10,2)`` → ``DECIMAL(10, 2)``:
    the spelling DeltaStream shows in a signature."""
    text = " ".join(value.upper().split())
    text = re.sub(r"\s*([<>()])\s*", r"\1", text)
    return re.sub(r"\s*,\s*", ", ", text)


def _type_problem(value: str) -> str | None:
    text = normalize_type(value)
    if not _TYPE.match(text) or text.count("<") != text.count(">"):
        return "must be a SQL type such as VARCHAR, BIGINT, ARRAY<INTEGER> or MAP<VARCHAR, INTEGER>"
    if text.count("(") != text.count(")") or "STRUCT" in text:
        return "must be a SQL type such as VARCHAR, BIGINT or DECIMAL(10, 2) (no STRUCT)"
    return None


def _language_problem(value: str) -> str | None:
    return None if value.upper() in LANGUAGES else f"must be one of {', '.join(LANGUAGES)}"


def _class_problem(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*", value):
        return None
    return "must be a fully qualified Java class name, e.g. com.example.Upper"


@attrs.frozen
class FunctionArgument:
    """One argument of the function."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:FunctionArgument"
    name: str = prop("Name of the argument (a lower-case identifier).", check=_name_problem)
    type: str = prop(
        "SQL type of the argument, e.g. VARCHAR or ARRAY<INTEGER>.",
        check=_type_problem,
        normalize=normalize_type,
    )


@attrs.frozen
class FunctionInputs:
    name: str = prop(
        "Name of the function as queries call it (a lower-case identifier). Changing it "
        "replaces the function.",
        replace=True,
        check=_name_problem,
    )
    source_name: str = prop(
        "Name of the function source whose jar holds the class ('source.name'); give a "
        "FunctionSource's name output so the source is created first.",
        replace=True,
    )
    class_name: str = prop(
        "Fully qualified name of the Java class implementing the function ('class.name').",
        replace=True,
        check=_class_problem,
    )
    arguments: list[FunctionArgument] = prop(
        "The function's arguments, in order; with the name they make its signature.",
        factory=list,
        replace=True,
    )
    returns: str = prop(
        "SQL type the function returns (RETURNS); VARCHAR when unset.",
        default="VARCHAR",
        replace=True,
        check=_type_problem,
        normalize=normalize_type,
    )
    language: str = prop(
        "Language of the implementation (LANGUAGE): JAVA.",
        default="JAVA",
        replace=True,
        check=_language_problem,
        normalize=str.upper,
    )
    owner: str | None = prop(
        "Owning role; the function is created as this role. Changing it replaces it.",
        default=None,
        replace=True,
        check=check_name,
        keep_when_absent=True,
    )


@attrs.frozen
class FunctionOutputs(FunctionInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    signature: str | None = output("The signature, name(arg TYPE, ...): the function's id.")
    created_at: str | None = output("When the function was created (RFC 3339).")
    updated_at: str | None = output("When the function was last changed (RFC 3339).")


def signature_of(name: str, arguments: list[FunctionArgument]) -> str:
    """``name(arg TYPE, ...)``, as DeltaStream shows it."""
    shown = ", ".join(f"{a.name} {normalize_type(a.type)}" for a in arguments)
    return f"{name}({shown})"


def parse_signature(signature: str) -> tuple[str, list[FunctionArgument]]:
    """The name and arguments of ``name(arg TYPE, ...)``; ValueError for another shape."""
    found = re.fullmatch(r"\s*([^\s(]+)\s*\((.*)\)\s*", signature, re.S)
    if found is None:
        raise ValueError(f"{signature!r} is not a function signature name(arg TYPE, ...)")
    name, inner = found.group(1), found.group(2)
    arguments = []
    for part in _top_level_split(inner):
        arg, _, kind = part.strip().partition(" ")
        if not arg or not kind.strip():
            raise ValueError(f"{signature!r}: argument {part.strip()!r} is not 'name TYPE'")
        arguments.append(FunctionArgument(arg, normalize_type(kind)))
    return name, arguments


def _top_level_split(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char in "<(" and 1) or (char in ">)" and -1) or 0
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    last = text[start:]
    return [*parts, last] if last.strip() or parts else parts


def _argument_sql(arguments: list[FunctionArgument]) -> str:
    return ", ".join(f"{quote_identifier(a.name)} {normalize_type(a.type)}" for a in arguments)


class FunctionKind(CatalogKind[FunctionInputs, FunctionOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A Java user-defined function in a function source. Every change is a replacement. "
        "Import with its signature, name(arg TYPE, ...)."
    )
    inputs = FunctionInputs
    outputs = FunctionOutputs
    required_outputs: ClassVar[tuple[str, ...]] = ("signature",)
    system_table: ClassVar[str] = "functions"
    noun: ClassVar[str] = "function"
    key: ClassVar[tuple[Column, ...]] = (column("signature"),)
    columns: ClassVar[tuple[Column, ...]] = (
        column("name"),
        column("returns"),
        column("language"),
        column("source_name"),
        column("class_name"),
        column("owner"),
        column("created_at", convert=rfc3339),
        column("updated_at", convert=rfc3339),
    )

    def validate(self, args: FunctionInputs) -> list[CheckFailure]:
        seen: set[str] = set()
        failures = []
        for i, argument in enumerate(args.arguments):
            if argument.name in seen:
                failures.append(CheckFailure(f"arguments[{i}].name", "names another argument"))
            seen.add(argument.name)
        return failures

    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> CheckResult:
        result = await super().check(ctx, olds, news)
        if result.failures:
            return result
        # the stored inputs hold the defaults and spell types as DeltaStream shows them, so
        # an import (which reads them all back) diffs clean
        inputs = {"returns": "VARCHAR", "language": "JAVA", **result.inputs}
        for key in ("returns", "language"):
            if inputs[key] in (None, ""):
                inputs[key] = {"returns": "VARCHAR", "language": "JAVA"}[key]
        arguments = inputs.get("arguments")
        if isinstance(arguments, list):
            inputs["arguments"] = [
                {**a, "type": normalize_type(a["type"])}
                if isinstance(a, Mapping) and isinstance(a.get("type"), str)
                else a
                for a in arguments
            ]
        return CheckResult(inputs, result.failures)

    def key_of(self, values: Any) -> tuple[str, ...]:
        given = getattr(values, "signature", None)
        return (given or signature_of(values.name, list(values.arguments)),)

    def create_statement(self, args: FunctionInputs) -> Statement:
        head = (
            f"CREATE FUNCTION {quote_identifier(args.name)} ({_argument_sql(args.arguments)})"
            f" RETURNS {normalize_type(args.returns)} LANGUAGE {args.language.upper()}"
        )
        pairs = [
            Pair.text("source.name", args.source_name),
            Pair.text("class.name", args.class_name),
        ]
        return with_statement(head, pairs)

    def drop_statement(self, key: tuple[str, ...]) -> str:
        name, arguments = parse_signature(key[0])
        return f"DROP FUNCTION {quote_identifier(name)} ({_argument_sql(arguments)});"

    def parse_id(self, resource_id: str) -> tuple[str, ...]:
        key = super().parse_id(resource_id)
        try:
            parse_signature(key[0])
        except ValueError as exc:
            raise ValidationError([CheckFailure("id", str(exc))], resource=self.token) from None
        return key

    def outputs_from_row(self, row: Row, args: FunctionInputs | None = None) -> FunctionOutputs:
        if args is None:  # import: the arguments come from the signature
            name, arguments = parse_signature(str(row.get("signature")))
            args = FunctionInputs(name=name, source_name="", class_name="", arguments=arguments)
        return super().outputs_from_row(row, args)

    async def create(self, ctx: OperationContext, args: FunctionInputs) -> FunctionOutputs:
        source = args.source_name
        what = f"function source {source!r} to become ready for function {self.key_of(args)[0]}"

        async def attempt() -> FunctionOutputs | None:
            try:
                return await CatalogKind.create(self, ctx, args)
            except StatementError as exc:
                if exc.sql_state != SOURCE_NOT_READY:
                    raise
                await self._check_source(ctx, source, exc)
                return None  # still processing: try again

        made = await wait_until(
            attempt,
            lambda outputs: outputs is not None,
            clock=ctx.clock,
            timeout=ctx.timeout or 300.0,
            what=what,
            describe=lambda _: f"CREATE FUNCTION answered {SOURCE_NOT_READY} (source not ready)",
            log=ctx.log,
            backoff=RETRY,
        )
        assert made is not None
        return made

    async def _check_source(self, ctx: OperationContext, source: str, exc: Exception) -> None:
        """Fail at once when the source will never be ready: it does not exist, or failed."""
        rows = await select(
            ctx,
            'SELECT "status" FROM deltastream.sys."function_sources"'
            f' WHERE "name" = {quote_literal(source)};',
        )
        row = first_or_none(rows)
        if row is None:
            raise ObjectFailedError(
                f"function source {source!r} does not exist ({exc}); create it first (give "
                "sourceName a FunctionSource's name output to order them)"
            ) from exc
        status = str(row.get("status") or "").lower()
        if status in SOURCE_FAILED:
            raise ObjectFailedError(
                f"function source {source!r} is in status {status!r}: its jar could not be "
                "loaded, so no function can be created on it"
            ) from exc


# -- lookups --------------------------------------------------------------------------------


@attrs.frozen
class GetFunctionArgs:
    signature: str = prop("Signature of the function to look up: name(arg TYPE, ...).")


@attrs.frozen
class GetFunctionResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetFunctionResult"
    signature: str = output("Signature of the function, name(arg TYPE, ...).")
    name: str = output("Name of the function.")
    returns: str = output("SQL type the function returns.")
    language: str = output("Language of the implementation.")
    source_name: str = output("Function source whose jar holds the class.")
    class_name: str = output("Java class implementing the function.")
    owner: str = output("Owning role of the function.")
    created_at: str = output("When the function was created (RFC 3339).")
    updated_at: str = output("When the function was last changed (RFC 3339).")


@attrs.frozen
class GetFunctionsArgs:
    name: str | None = prop("Only the overloads of the function with this name.", default=None)
    source_name: str | None = prop("Only the functions of this function source.", default=None)


@attrs.frozen
class GetFunctionsResult:
    functions: list[GetFunctionResult] = output(
        "The functions, ordered by signature; at most 200 (a warning says when more exist).",
        default=attrs.Factory(list),
    )


class GetFunction(CatalogLookup[GetFunctionArgs, GetFunctionResult]):
    token: ClassVar[str] = "deltastream:index:getFunction"
    description: ClassVar[str] = "Look up one function by its signature, name(arg TYPE, ...)."
    args = GetFunctionArgs
    result = GetFunctionResult
    kind = FunctionKind()

    def where(self, args: GetFunctionArgs) -> dict[str, str]:
        try:
            name, arguments = parse_signature(args.signature)
        except ValueError:
            return {"signature": args.signature}
        return {"signature": signature_of(name, arguments)}


class GetFunctions(CatalogListing[GetFunctionsArgs, GetFunctionsResult]):
    token: ClassVar[str] = "deltastream:index:getFunctions"
    description: ClassVar[str] = (
        "List functions (optionally one name's overloads, or one source's functions) ordered "
        "by signature, at most 200."
    )
    args = GetFunctionsArgs
    result = GetFunctionsResult
    kind = FunctionKind()
    items: ClassVar[str] = "functions"
    item_model = GetFunctionResult
    narrower: ClassVar[str] = "filter by name or sourceName, or use getFunction"


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[FunctionKind], functions=[GetFunction, GetFunctions]
)
