"""The catalog's tables and the lookups over them, one module per kind.

These modules hold rows, lookups and the writes other kinds make (a database's ``public``
schema, a query's start); they import no statement module, so the kinds' statement modules
(``catalog/<kind>.py``) can use any of them without an import cycle.
"""
