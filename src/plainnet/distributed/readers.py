"""Reading only this rank's rows of a file too big for one machine.

Two ways, both collective (every rank calls them):

* a ``.npy`` file opened with ``np.load(path, mmap_mode="r")`` is passed to
  ``fit`` whole on every rank: nothing is read until a batch needs its rows,
  and each rank reads only the rows of its pieces of the batches (and a few
  sampled rows for the checksum that makes sure every rank has the same file);
* a CSV file is cut by :func:`read_csv_shard`: rank ``r`` of ``N`` parses only
  the lines that start in its ``r``-th ``N``-th of the bytes, then trains
  with ``MPIStrategy(sharded=True)``::

      from plainnet.distributed import MPIStrategy, read_csv_shard
      X, y, columns = read_csv_shard("big.csv", target="label")
      model.fit(X, y, batch_size=1024, strategy=MPIStrategy(sharded=True))
"""

from __future__ import annotations

import csv
import io
import os
from typing import Any

import numpy as np

from .._validation import check_dtype
from .checksum import file_digest
from .comm import shard_range, world

__all__ = ["byte_range", "read_csv_shard"]


def byte_range(path: str | os.PathLike, rank: int, size: int) -> tuple[int, int, str]:
    """``(start, stop, header)``: the bytes of the rows rank ``rank`` of ``size`` parses.

    The bytes after the header line are cut into ``size`` near-equal pieces;
    a rank owns every line that *starts* in its piece, so each line is read by
    exactly one rank whatever the line lengths. ``start``/``stop`` are moved
    to the start of the next line (reading at most one line of a neighbour).
    """
    total = os.path.getsize(path)
    with open(path, "rb") as file:
        header = file.readline()
        body = file.tell()

        def line_start(offset: int) -> int:
            """The first line start at or after ``offset`` (a line starts after a newline)."""
            if offset <= body:
                return body
            file.seek(offset - 1)
            file.readline()  # the rest of the line that ``offset - 1`` is in
            return min(file.tell(), total)

        lo, hi = shard_range(total - body, rank, size)
        return line_start(body + lo), line_start(body + hi), header.decode("utf-8-sig")


def read_csv_shard(path: str | os.PathLike, target: str | int, rank: int | None = None,
                   size: int | None = None, dtype: Any = np.float64, delimiter: str = ",",
                   check: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """This rank's rows of a numeric CSV file with a header: ``(X, y, feature_names)``.

    Parameters
    ----------
    path : str or os.PathLike
    target : str or int
        The target column's name, or its index.
    rank, size : int or None
        This process's rank and the number of ranks; by default MPI's
        (``COMM_WORLD``), so under ``mpiexec -n N`` each rank gets its share.
    dtype : float32 or float64, default float64
    delimiter : str, default ","
    check : bool, default True
        Compare the file's digest (size, header, sampled blocks) with rank 0's,
        so a rank that opened another file raises (on every rank) rather than
        training on other data. Needs MPI; every rank must call.

    Returns
    -------
    X : ndarray of shape (n_rows_of_this_rank, n_columns - 1)
    y : ndarray of shape (n_rows_of_this_rank,)
    feature_names : list of str

    Raises
    ------
    ValueError
        A cell that is not a number (naming the file, the byte offset of the
        line and the column), a row with the wrong number of cells, or an
        unknown target column.
    """
    dtype = check_dtype(dtype)
    comm = None
    if rank is None or size is None or check:
        from .strategy import RanksDisagree, abort_on_uncaught_errors

        comm = world()
        abort_on_uncaught_errors(comm)
        rank = comm.Get_rank() if rank is None else rank
        size = comm.Get_size() if size is None else size
    start, stop, header = byte_range(path, rank, size)
    names = next(csv.reader([header.strip("\r\n")], delimiter=delimiter))
    if check and comm is not None:
        mine = file_digest(path)
        same = mine == comm.bcast(mine, root=0)
        for other, problem in enumerate(comm.allgather(None if same else os.fspath(path))):
            if problem is not None:
                raise RanksDisagree(f"rank {other} of {size}: the file it read, {problem!r}, "
                                    "differs from rank 0's (size, header or sampled blocks): "
                                    "every rank must read the same file")
    if isinstance(target, str):
        if target not in names:
            raise ValueError(f"target {target!r} is not a column of {os.fspath(path)!r}; its "
                             f"columns are {names}")
        column = names.index(target)
    else:
        column = int(target)
        if not -len(names) <= column < len(names):
            raise ValueError(f"target={target} is not a column index of {os.fspath(path)!r}, "
                             f"which has {len(names)} columns")
        column %= len(names)
    with open(path, "rb") as file:
        file.seek(start)
        text = file.read(stop - start).decode("utf-8")
    rows = []
    offset = start
    for line in io.StringIO(text, newline=""):
        cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
        if cells:
            rows.append(_numbers(cells, names, path, offset))
        offset += len(line.encode("utf-8"))
    table = np.array(rows, dtype=dtype).reshape(len(rows), len(names))
    features = [name for j, name in enumerate(names) if j != column]
    return np.delete(table, column, axis=1), table[:, column].copy(), features


def _numbers(cells: list[str], names: list[str], path: Any, offset: int) -> list[float]:
    """The cells of one line as floats, or a ValueError naming the line and column."""
    where = f"{os.fspath(path)!r}, the line at byte {offset}"
    if len(cells) != len(names):
        raise ValueError(f"{where} has {len(cells)} cells, but the header names "
                         f"{len(names)} columns")
    try:
        return [float(cell) for cell in cells]
    except ValueError:
        for cell, name in zip(cells, names):
            try:
                float(cell)
            except ValueError:
                raise ValueError(f"{where}, column {name!r}: {cell!r} is not a number") from None
        raise
