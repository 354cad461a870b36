"""The few MPI calls plainnet needs, and how a rank's share of rows is cut.

``mpi4py`` is an optional extra: it is imported here, lazily, the first
time a strategy needs it, with an error that names the extra to install.
"""

from __future__ import annotations

from typing import Any

from .._extras import install_hint

__all__ = ["INSTALL_HINT", "import_mpi", "shard_range", "world"]

#: what to run when mpi4py is missing
INSTALL_HINT = install_hint("mpi") + " (it installs mpi4py and the mpich wheel)"


def import_mpi() -> Any:
    """The ``mpi4py.MPI`` module, or an ``ImportError`` naming the extra to install."""
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ImportError(f"distributed training needs mpi4py, which is not installed "
                          f"({error}); install it with {INSTALL_HINT}") from None
    return MPI


def world() -> Any:
    """``MPI.COMM_WORLD``: every process ``mpiexec`` started."""
    return import_mpi().COMM_WORLD


def shard_range(n: int, rank: int, size: int) -> tuple[int, int]:
    """``(start, stop)`` of rank ``rank``'s contiguous share of ``n`` items among ``size``.

    The shares are near-equal: ``start = ceil(rank * n / size)``, so their
    lengths differ by at most one, the first ranks take the extra items, and
    together they cover ``range(n)`` in order. With ``n < size`` the last
    ranks get nothing (rank 0 always gets something when ``n >= 1``).

    Examples
    --------
    >>> [shard_range(10, r, 3) for r in range(3)]
    [(0, 4), (4, 7), (7, 10)]
    """
    return -(-rank * n // size), -(-(rank + 1) * n // size)
