"""Another name for :mod:`plainnet.data`, the path the data helpers had before.

``plainnet.datasets`` *is* ``plainnet.data``: importing this module replaces
it in ``sys.modules`` with the package, so ``plainnet.datasets is
plainnet.data`` and every old spelling keeps working unchanged::

    from plainnet.datasets import moons, train_test_split
    plainnet.datasets.load_mnist("mnist/")

New code may use either name; the package's modules live under
``plainnet/data/`` (see :mod:`plainnet.data`).
"""

import sys

from . import data

sys.modules[__name__] = data
