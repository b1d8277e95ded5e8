"""``python -m deltastream_local`` is ``deltastream-local``."""

from deltastream_local.cli import main

raise SystemExit(main())
