"""The metadata-driven diff: no-op, update vs replace, nested paths, unknowns."""

from typing import ClassVar

import attrs

from deltastream_core.diff import DiffKind, diff_inputs
from deltastream_core.model import prop
from deltastream_core.unknown import UNKNOWN


@attrs.frozen
class Block:
    TYPE_TOKEN: ClassVar[str] = "test:index:Block"
    uris: str = prop("uris")
    password: str | None = prop("secret", default=None, secret=True)


@attrs.frozen
class Inputs:
    name: str = prop("name", replace=True)
    owner: str | None = prop("owner", default=None, keep_when_absent=True)
    sql: str | None = prop("sql", default=None, normalize=lambda s: " ".join(s.split()))
    block: Block | None = prop("block", default=None)
    other: Block | None = prop("other", default=None, replace=True)


def diff(olds: dict, news: dict, dbr: bool = True):  # type: ignore[no-untyped-def,type-arg]
    return diff_inputs(Inputs, olds, news, delete_before_replace=dbr)


def test_equal_inputs_are_no_change() -> None:
    result = diff({"name": "a", "owner": "r"}, {"name": "a", "owner": "r"})
    assert not result.changed
    assert result.diffs == [] and result.replaces == []
    assert result.delete_before_replace is False


def test_replace_field_change_is_update_replace_with_delete_first() -> None:
    result = diff({"name": "a"}, {"name": "b"})
    assert result.detailed == {"name": DiffKind.UPDATE_REPLACE}
    assert result.replaces == ["name"]
    assert result.delete_before_replace is True


def test_plain_field_change_is_in_place_update() -> None:
    result = diff({"name": "a", "owner": "x"}, {"name": "a", "owner": "y"})
    assert result.detailed == {"owner": DiffKind.UPDATE}
    assert result.replaces == [] and result.delete_before_replace is False


def test_keep_when_absent_ignores_a_removed_value_but_not_an_added_one() -> None:
    assert not diff({"name": "a", "owner": "x"}, {"name": "a"}).changed
    assert diff({"name": "a"}, {"name": "a", "owner": "x"}).detailed == {"owner": DiffKind.ADD}


def test_normalize_ignores_whitespace_only_edits() -> None:
    assert not diff({"name": "a", "sql": "select  1\n"}, {"name": "a", "sql": "select 1"}).changed
    assert diff({"name": "a", "sql": "select 1"}, {"name": "a", "sql": "select 2"}).changed


def test_nested_changes_have_property_paths() -> None:
    result = diff(
        {"name": "a", "block": {"uris": "h:1", "password": "p"}},
        {"name": "a", "block": {"uris": "h:2", "password": "p"}},
    )
    assert result.detailed == {"block.uris": DiffKind.UPDATE}
    assert result.diffs == ["block"]


def test_nested_fields_inherit_replace_from_their_block() -> None:
    result = diff({"name": "a", "other": {"uris": "h:1"}}, {"name": "a", "other": {"uris": "h:2"}})
    assert result.detailed == {"other.uris": DiffKind.UPDATE_REPLACE}
    assert result.replaces == ["other"]


def test_block_switch_is_add_and_delete() -> None:
    result = diff({"name": "a", "block": {"uris": "h"}}, {"name": "a", "other": {"uris": "h"}})
    assert result.detailed == {"block": DiffKind.DELETE, "other": DiffKind.ADD_REPLACE}


def test_unknown_new_values_count_as_changed() -> None:
    assert diff({"name": "a"}, {"name": UNKNOWN}).detailed == {"name": DiffKind.UPDATE_REPLACE}
    assert diff({"name": "a", "owner": "x"}, {"name": "a", "owner": UNKNOWN}).detailed == {
        "owner": DiffKind.UPDATE
    }
