"""``python -m plainnet``: the same as the ``plainnet`` command (see :mod:`plainnet.cli`)."""

from plainnet.cli import main

raise SystemExit(main())
