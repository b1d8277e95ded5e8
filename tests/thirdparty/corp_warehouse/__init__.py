"""corp-warehouse: a third-party distribution adding the ``Warehouse`` kind to the provider
(``provider``, the kind of docs/plugins.md) and its emulation to deltastream-local
(``emulator``), written against the documented public APIs only."""
