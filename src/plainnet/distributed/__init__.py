"""Data-parallel training over MPI (the optional extra ``plainnet[mpi]``).

The same script trains alone or on many processes::

    # train.py; run it as `python train.py` or `mpiexec -n 4 python train.py`
    from plainnet.distributed import MPIStrategy
    model.fit(X, y, epochs=10, batch_size=512, strategy=MPIStrategy())

(``strategy="mpi"`` is the same.) Every rank holds the model; each takes a
contiguous piece of each global batch; one Allreduce per step averages the
gradients so that the weights are those one process would reach. See
:class:`~plainnet.distributed.strategy.MPIStrategy`, the readers that load
only a rank's rows (:mod:`~plainnet.distributed.readers`) and
``docs/distributed.md``. ``mpi4py`` is imported only when a strategy or a
reader is first used, so this package imports with NumPy alone.
"""

from __future__ import annotations

from typing import Any

from .checksum import array_digest, file_digest, model_digest
from .comm import INSTALL_HINT, import_mpi, shard_range
from .readers import read_csv_shard
from .strategy import MPIStrategy, RanksDisagree, abort_on_uncaught_errors

__all__ = ["INSTALL_HINT", "MPIStrategy", "RanksDisagree", "abort_on_uncaught_errors",
           "array_digest", "file_digest", "get_strategy", "import_mpi", "model_digest",
           "read_csv_shard", "shard_range"]

#: the strategies ``fit(strategy=name)`` knows by name
STRATEGIES = {"mpi": MPIStrategy}


def get_strategy(strategy: Any) -> Any:
    """A strategy from its name (``"mpi"``) or itself; None stays None (one process)."""
    if strategy is None or not isinstance(strategy, str):
        return strategy
    try:
        return STRATEGIES[strategy.lower()]()
    except KeyError:
        raise ValueError(f"strategy must be one of {sorted(STRATEGIES)}, a strategy object "
                         f"or None, got {strategy!r}") from None
