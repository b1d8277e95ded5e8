# The kind of docs/plugins.md, verbatim (tests/thirdparty/test_corp_warehouse.py checks).
from typing import ClassVar

import attrs

from deltastream_core import (
    CatalogKind,
    Column,
    Form,
    KeySpec,
    check_name,
    column,
    name_lookups,
    output,
    owner_input,
    pairs_of,
    prop,
    quote_identifier,
    registering,
    rfc3339,
    with_statement,
)

SIZES = ("SMALL", "MEDIUM", "LARGE")
KEYS = (KeySpec("size", "warehouse.size", Form.KEYWORD, allowed=SIZES),)


@attrs.frozen
class WarehouseInputs:
    name: str = prop("The warehouse's name.", replace=True, check=check_name)
    # DeltaStream reports the keyword upper-cased: compare sizes case-insensitively; the
    # choices give Check its "must be one of" rule and the contract kit its values
    size: str = prop(
        "SMALL, MEDIUM or LARGE; changed in place.", choices=SIZES, normalize=str.upper
    )
    # created as this role; absent, it keeps the role DeltaStream filled in
    owner: str | None = owner_input("warehouse")


@attrs.frozen
class WarehouseOutputs(WarehouseInputs):
    state: str | None = output("provisioning, then ready.")
    created_at: str | None = output("When it was created (RFC 3339).")


class Warehouse(CatalogKind[WarehouseInputs, WarehouseOutputs]):
    token: ClassVar[str] = "deltastream:index:Warehouse"
    description: ClassVar[str] = "A warehouse. Import with its name."
    inputs = WarehouseInputs
    outputs = WarehouseOutputs
    system_table: ClassVar[str] = "warehouses"
    noun: ClassVar[str] = "warehouse"
    key: ClassVar[tuple[Column, ...]] = (column("name"),)
    columns: ClassVar[tuple[Column, ...]] = (
        column("size"),
        column("owner"),
        column("state"),
        column("created_at", convert=rfc3339),
    )
    state_column: ClassVar[str | None] = "state"
    ready_states: ClassVar[frozenset[str]] = frozenset({"ready"})
    failed_states: ClassVar[frozenset[str]] = frozenset({"failed"})

    def create_statement(self, args):
        head = f"CREATE WAREHOUSE {quote_identifier(args.name)}"
        return with_statement(head, pairs_of(KEYS, args))

    def update_statements(self, key, olds, news):
        head = f"UPDATE WAREHOUSE {quote_identifier(key[0])}"
        return [with_statement(head, pairs_of(KEYS, news))] if olds.size != news.size else []

    def drop_statement(self, key):
        return f"DROP WAREHOUSE {quote_identifier(key[0])};"


@attrs.frozen
class GetWarehouseResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetWarehouseResult"
    name: str = output("Its name.")
    size: str = output("Its size.")
    owner: str = output("Its owning role.")


GetWarehouse, GetWarehouses = name_lookups(Warehouse, GetWarehouseResult, items="warehouses")

deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[Warehouse], functions=[GetWarehouse, GetWarehouses]
)
