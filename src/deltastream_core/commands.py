"""The commands the provider suggests in its messages, quoted for a POSIX shell in one place.

A resource name, an id or a URN may hold anything a shell treats specially (quotes, spaces,
``$(…)``, backticks, newlines); every argument is quoted as :func:`shlex.quote` does, so a
suggested command pasted into sh, bash or zsh runs with exactly the arguments shown.
"""

from __future__ import annotations

import shlex

#: stands for the program's resource name when a step does not know it
NAME_PLACEHOLDER = "<resource name>"


def shell_command(*argv: str) -> str:
    """``argv`` as one command line, each argument quoted for a POSIX shell."""
    return " ".join(shlex.quote(arg) for arg in argv)


def pulumi_import(token: str, resource_name: str, resource_id: str) -> str:
    """``pulumi import <type> <name> <id>``: adopts an existing object into the stack."""
    return shell_command("pulumi", "import", token, resource_name or NAME_PLACEHOLDER, resource_id)


def pulumi_up_replace(urn: str) -> str:
    """``pulumi up --replace <urn>``: recreates one resource."""
    return shell_command("pulumi", "up", "--replace", urn)


def pulumi_targeted(operation: str, urn: str) -> str:
    """``pulumi <operation> --target <urn>`` (e.g. ``refresh``): one resource only."""
    return shell_command("pulumi", operation, "--target", urn)
