"""The generic statement family a kind claims by its object keyword, so that a kind (a
plugin's included) needs no change to the grammar:

    CREATE <KEYWORD> <name> [WITH (...)]          UPDATE <KEYWORD> <name> WITH (...)
    ALTER <KEYWORD> <name> SET|WITH (...)         ALTER <KEYWORD> <name> OWNER TO <role>
    DROP | DESCRIBE | USE | START | STOP <KEYWORD> <name> [WITH (...)]

plus ``LIST <word>`` and ``deltastream.sys."<table>"`` through the kind's ``lists`` and
``system_tables``. The name is a (possibly dotted) identifier folded as everywhere else. The
engine checks the WITH clause against the kind's declared :class:`Option` keys and hands the
handler typed values (attachments resolved to their uploaded bytes); the handler does the rest.
A verb the kind has no handler for answers 0A000 ``<VERB> <KEYWORD> is not supported``.
The statement shapes and value spellings clients send are in
docs/reference/object-statements.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from deltastream_local.engine import ast
from deltastream_local.engine.access import require_role
from deltastream_local.engine.catalog.base import Execution
from deltastream_local.engine.errors import (
    FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER,
    MISSING_PARAMETER,
    SqlError,
)
from deltastream_local.engine.results import Result

#: the verbs of the family, as the handlers are keyed
VERBS = ("create", "update", "alter", "drop", "describe", "use", "start", "stop")

OptionType = Literal["text", "integer", "number", "boolean", "name", "attachment"]
_OPTION_TYPES = ("text", "integer", "number", "boolean", "name", "attachment")
_INTEGER = re.compile(r"-?\d+\Z")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\Z")


@dataclass(frozen=True)
class Option:
    """One WITH key a kind accepts, and how its value is typed.

    ``text`` takes any value as its text; ``integer``/``number`` a number or a numeric string
    (clients send both: ``5`` and ``'5'``); ``boolean`` ``TRUE``/``FALSE`` or ``'true'``/
    ``'false'``; ``name`` an identifier, keyword or string; ``attachment`` a string naming a
    file uploaded with the statement.
    """

    type: OptionType = "text"
    #: CREATE must give it
    required: bool = False
    #: UPDATE/ALTER may change it (otherwise 3D008 "cannot be changed")
    updatable: bool = True
    #: the allowed values, matched case-insensitively and handed over as declared
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """An uploaded file a WITH value named."""

    filename: str
    content: bytes


OptionValue = str | int | float | bool | Attachment | None


@dataclass(frozen=True)
class ObjectRequest:
    """What a handler of the family receives: the statement with its WITH clause typed.

    ``options`` holds the keys given, in order; a key set to NULL in UPDATE/ALTER is ``None``
    (remove it). ``owner`` is the role of ``ALTER … OWNER TO`` (already checked to exist).
    """

    verb: str
    keyword: str
    #: the name's parts (``("pool",)``, or ``("a", "b")`` for ``"a"."b"``)
    path: tuple[str, ...]
    options: Mapping[str, OptionValue]
    owner: str | None
    statement: ast.ObjectStatement

    @property
    def name(self) -> str:
        """The last part of the name (most kinds have one-part names)."""
        return self.path[-1]


#: A handler of one verb: runs the request and returns its result, or raises SqlError.
ObjectHandler = Callable[[ObjectRequest, Execution], Result]


@dataclass(frozen=True)
class ObjectStatements:
    """The family as one kind claims it: its keyword, a handler per verb and its WITH keys."""

    #: the object keyword, lower case (``compute_pool``); SQL may write it in any case
    keyword: str
    handlers: Mapping[str, ObjectHandler]
    options: Mapping[str, Option] = field(default_factory=dict)
    #: how keys that are not declared are typed; None refuses them (3D008). A kind whose
    #: WITH clause carries free-form keys (a secret's custom properties) sets it.
    extra: Option | None = None


def option_problems(options: Mapping[str, Option]) -> list[str]:
    """What is wrong with declared WITH keys (the registry refuses such a kind)."""
    problems = []
    for key, option in options.items():
        if not isinstance(option, Option):
            problems.append(f"WITH key {key!r} is declared as {type(option).__name__}, not Option")
        elif option.type not in _OPTION_TYPES:
            problems.append(
                f"WITH key {key!r} has type {option.type!r} (known: {', '.join(_OPTION_TYPES)})"
            )
    return problems


def run(statement: ast.ObjectStatement, exe: Execution, objects: ObjectStatements) -> Result:
    """Type the statement's WITH clause and call the kind's handler for its verb."""
    handler = objects.handlers.get(statement.verb)
    if handler is None:
        raise unsupported(statement)
    owner = require_role(statement.owner) if statement.owner is not None else None
    request = ObjectRequest(
        statement.verb,
        statement.keyword,
        statement.name.parts,
        _typed(statement, exe, objects),
        owner,
        statement,
    )
    return handler(request, exe)


def unsupported(statement: ast.ObjectStatement) -> SqlError:
    """0A000 ``<VERB> <KEYWORD> is not supported`` (the text the grammar's own
    ``unsupported`` statements answer with)."""
    words = f"{statement.verb.upper()} {statement.keyword.upper()}"
    return SqlError(FEATURE_NOT_SUPPORTED, f"{words} is not supported by deltastream-local")


def _typed(
    statement: ast.ObjectStatement, exe: Execution, objects: ObjectStatements
) -> dict[str, OptionValue]:
    changing = statement.verb in ("update", "alter")
    typed: dict[str, OptionValue] = {}
    for item in statement.properties.items:
        option = objects.options.get(item.key, objects.extra)
        if option is None:
            raise SqlError(
                INVALID_PARAMETER, f"property '{item.key}' is not valid for {objects.keyword}"
            )
        if changing and not option.updatable:
            raise SqlError(
                INVALID_PARAMETER, f"property '{item.key}' of a {objects.keyword} cannot be changed"
            )
        if item.value.kind == "null":
            # NULL removes a key in UPDATE/ALTER; a required key cannot be removed
            if not changing or option.required:
                raise SqlError(INVALID_PARAMETER, f"property '{item.key}' cannot be NULL")
            typed[item.key] = None
            continue
        typed[item.key] = _value(item.key, item.value, option, exe)
    if statement.verb == "create":
        for key, option in objects.options.items():
            if option.required and key not in typed:
                raise SqlError(MISSING_PARAMETER, f"property '{key}' is required")
    return typed


def _value(key: str, value: ast.PropertyValue, option: Option, exe: Execution) -> OptionValue:
    # Messages quote the key, never the value: it may be a secret.
    text = value.value or ""
    result: OptionValue
    if option.type == "integer":
        if value.kind not in ("number", "string") or not _INTEGER.match(text):
            raise SqlError(INVALID_PARAMETER, f"property '{key}' must be an integer")
        result = int(text)
    elif option.type == "number":
        if value.kind not in ("number", "string") or not _NUMBER.match(text):
            raise SqlError(INVALID_PARAMETER, f"property '{key}' must be a number")
        result = int(text) if _INTEGER.match(text) else float(text)
    elif option.type == "boolean":
        if text.lower() not in ("true", "false") or value.kind == "identifier":
            raise SqlError(INVALID_PARAMETER, f"property '{key}' must be TRUE or FALSE")
        result = text.lower() == "true"
    elif option.type == "name":
        if value.kind not in ("string", "identifier", "keyword"):
            raise SqlError(INVALID_PARAMETER, f"property '{key}' must be a name")
        result = text
    elif option.type == "attachment":
        if value.kind != "string":
            raise SqlError(
                INVALID_PARAMETER, f"property '{key}' must be a string naming an attachment"
            )
        if text not in exe.attachments:
            raise SqlError(
                INVALID_PARAMETER,
                f"attachment {text!r} named by property '{key}' was not uploaded"
                " with the statement",
            )
        return Attachment(text, exe.attachments[text])
    else:
        result = text
    if option.choices:
        for choice in option.choices:
            if str(result).lower() == choice.lower():
                return choice
        raise SqlError(
            INVALID_PARAMETER, f"property '{key}' must be one of " + ", ".join(option.choices)
        )
    return result
