"""Built-in DeltaStream kinds and lookups, one plugin module per kind or function family.

Each module is registered under the ``deltastream`` entry-point group in ``pyproject.toml``,
exactly as a third-party plugin would be.
"""
