"""``MPIStrategy``: data-parallel training over MPI, Horovod's recipe.

The same script runs alone or under ``mpiexec -n N python train.py``::

    from plainnet.distributed import MPIStrategy
    model.fit(X, y, epochs=10, batch_size=512, strategy=MPIStrategy())

Every rank (process) holds the whole model. One step, for a global batch
of ``B`` samples split over ``N`` ranks in near-equal contiguous pieces
``B_r`` (:func:`~plainnet.distributed.comm.shard_range`)::

    g_r = (1 / B_r) sum_{i in piece r} w_i dl_i/dθ   # each rank: its piece's mean gradient
    g   = (sum_r B_r g_r) / (sum_r B_r)             # ONE Allreduce of [B_r g_r, B_r L_r, B_r]
    θ  <- optimizer step with g                      # the same on every rank

so ``g`` is the one-process gradient of the whole batch (an uneven last
batch too: the counts ride along); only the order of the sums differs. The
learning rate is the user's: nothing is scaled. A few extra numbers ride on
the same Allreduce: whether Ctrl-C was pressed on any rank, and which ranks
saw a non-finite loss, so every rank stops (or rolls back and raises) after
the same step.

What the training loop calls (:class:`plainnet.training.loop.TrainingRun`)
is the small interface below; nothing here imports ``plainnet.training``.
"""

from __future__ import annotations

import sys
import traceback
import warnings
from typing import Any

import numpy as np

from .._validation import check_bool
from .checksum import array_digest, model_digest
from .comm import import_mpi, shard_range

__all__ = ["MPIStrategy", "RanksDisagree", "abort_on_uncaught_errors"]


class RanksDisagree(ValueError):
    """Raised on every rank alike when the ranks' inputs do not fit together.

    Its message names the first rank at fault; ``all_ranks`` tells the
    error handler that every rank raised it (nothing needs aborting).
    """

    all_ranks = True


def abort_on_uncaught_errors(comm: Any) -> None:
    """Make an uncaught exception on any rank end every rank, naming the rank.

    Without this, an exception on one rank leaves the others waiting in
    their next collective call forever. (``python -m mpi4py script.py``
    does the same.) An error that every rank raised together (bad input
    found by comparing the ranks) is printed once, by rank 0, and every
    rank exits with status 2; any other error prints ``plainnet: rank r of
    N failed: ...`` and calls ``MPI_Abort`` (status 2 for a ``ValueError``,
    ``TypeError`` or ``ImportError``, else 1), which ends all ranks.
    """
    if comm.Get_size() == 1 or getattr(sys.excepthook, "plainnet_comm", None) is comm:
        return
    previous = sys.excepthook

    def hook(error_type, error, tb):
        if getattr(error, "all_ranks", False):
            if comm.Get_rank() == 0:
                sys.stderr.write(f"plainnet: {error}\n")
                sys.stderr.flush()
            sys.exit(2 if isinstance(error, (ValueError, TypeError)) else 1)
        abort(comm, error, tb, previous)

    hook.plainnet_comm = comm  # type: ignore[attr-defined]
    sys.excepthook = hook


def abort(comm: Any, error: BaseException, tb: Any = None, printer: Any = None) -> None:
    """Print ``plainnet: rank r of N failed: <error>`` (then the traceback) and abort all."""
    bad_input = isinstance(error, (ValueError, TypeError, ImportError))
    first = f"plainnet: rank {comm.Get_rank()} of {comm.Get_size()} failed: " + (
        "".join(traceback.format_exception_only(type(error), error)).strip())
    sys.stderr.write(first + "\n")
    (printer or sys.__excepthook__)(type(error), error, tb or error.__traceback__)
    sys.stderr.flush()
    sys.stdout.flush()
    comm.Abort(2 if bad_input else 1)


class MPIStrategy:
    """Train on every process ``mpiexec`` started, as one process would.

    Parameters
    ----------
    sharded : bool, default False
        False: every rank passes ``fit`` the same, whole data (a memory-mapped
        ``.npy`` costs nothing to "pass whole": each rank reads only the rows
        it trains on), and training follows the one-process shuffle order,
        giving the one-process weights. True: each rank passes only its own
        rows (from :func:`~plainnet.distributed.read_csv_shard`, say); each
        global batch is made of a near-equal piece of every rank's rows, each
        rank shuffling its own rows (equal in law, not in numbers, to one process).
    comm : mpi4py communicator or None
        ``MPI.COMM_WORLD`` by default.

    Notes
    -----
    * Rank 0's weights, layer state, optimizer state, random generator,
      epoch count and history are broadcast when ``fit`` starts (so
      ``fit(resume=True)`` after loading a checkpoint on every rank continues
      from rank 0's file).
    * ``batch_size`` is the global batch. The learning rate is not scaled.
    * BatchNormalization uses per-rank batch statistics (as Horovod without
      SyncBatchNorm); the running mean and variance are averaged over the
      ranks at the end of each epoch, so every rank holds the same model.
    * Dropout: each rank draws its masks from its own generator, seeded from
      the model's generator and the rank; the model's generator itself is then
      used only to shuffle, identically on every rank.
    * Only rank 0 prints progress and writes checkpoints and CSV logs
      (callbacks with ``rank_zero_only = True``); every other callback runs
      on every rank with the same logs, so ``EarlyStopping`` stops all ranks.
    * An uncaught exception on one rank ends all of them (see
      :func:`abort_on_uncaught_errors`); so does one raised inside ``fit`` on
      one rank only, even if the script catches it.

    Examples
    --------
    Run as ``mpiexec -n 4 python train.py``::

        strategy = MPIStrategy()
        model.fit(X, y, epochs=10, batch_size=512, strategy=strategy)
        if strategy.rank == 0:
            model.save("model.pnet")
    """

    name = "mpi"

    def __init__(self, sharded: bool = False, comm: Any = None) -> None:
        self.MPI = import_mpi()
        self.comm = self.MPI.COMM_WORLD if comm is None else comm
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.sharded = check_bool("sharded", sharded)
        self.n_samples: int | None = None
        self._buffer: np.ndarray | None = None
        self._dropout: list[tuple[Any, Any]] = []
        self._quiet: Any = None
        abort_on_uncaught_errors(self.comm)

    def __repr__(self) -> str:
        return f"MPIStrategy(rank={self.rank}, size={self.size}, sharded={self.sharded})"

    # ------------------------------------------------------------ before training
    def agree(self, problem: str | None) -> None:
        """Raise :class:`RanksDisagree` on every rank if any rank has a ``problem``."""
        problems = self.comm.allgather(problem)
        for rank, found in enumerate(problems):
            if found is not None:
                raise RanksDisagree(f"rank {rank} of {self.size}: {found}")

    def prepare(self, model: Any, data: Any, validation: Any, batch_size: int) -> int:
        """Check that the ranks fit together; return the global batch size to train with.

        Compares a digest of the model (layers, loss, optimizer) and of the data
        (shape and sampled rows; ``sharded``: the shape of one sample) with rank 0's.
        """
        problem = None
        if getattr(data, "n_samples", None) is None or (
                validation is not None and getattr(validation, "n_samples", None) is None):
            problem = ("strategy= trains on arrays (memory-mapped .npy files included); a "
                       "stream of batches is not supported under MPI")
        self.agree(problem)
        mine = {"model": model_digest(model)}
        parts = (data.X, data.y, data.weights)
        if validation is not None:
            parts += (validation.X, validation.y, validation.weights)
        mine["data"] = array_digest(*parts, rows=not self.sharded)
        reference = self.comm.bcast(mine, root=0)
        problem = None
        if mine["model"] != reference["model"]:
            problem = ("its model (layers, loss, optimizer or metrics) differs from rank 0's: "
                       "every rank must build and compile the same model")
        elif mine["data"] != reference["data"]:
            problem = ("its training or validation data differs from rank 0's (size, shape or "
                       "sampled rows): every rank must load the same file" + (
                           "" if self.sharded else
                           ", or pass MPIStrategy(sharded=True) with each rank's own rows"))
        self.agree(problem)
        n = data.n_samples
        self.n_samples = int(self.comm.allreduce(n)) if self.sharded else n
        if batch_size < self.size:
            raise RanksDisagree(f"batch_size={batch_size} is the global batch, shared by "
                                f"{self.size} ranks: it must be at least the number of ranks")
        if self.n_samples < self.size:
            raise RanksDisagree(f"{self.n_samples} training samples cannot be shared by "
                                f"{self.size} ranks: use at most {self.n_samples} ranks")
        return min(batch_size, self.n_samples)

    def batch_bounds(self, n: int, batch_size: int) -> list[tuple[int, int]]:
        """``(start, stop)`` in this epoch's order of this rank's piece of each batch.

        Not sharded: the rank's contiguous share of each global batch of the
        ``n`` rows. Sharded: the ``n`` local rows cut into as many near-equal
        pieces as the global data has batches (so every rank takes as many steps).
        """
        if self.sharded:
            steps = -(-self.n_samples // batch_size)
            return [(k * n // steps, (k + 1) * n // steps) for k in range(steps)]
        bounds = []
        for start in range(0, n, batch_size):
            lo, hi = shard_range(min(batch_size, n - start), self.rank, self.size)
            bounds.append((start + lo, start + hi))
        return bounds

    def order(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """This epoch's order of the rows: the one-process permutation, or (sharded)
        a permutation of this rank's rows from a generator seeded by ``rng`` and the rank."""
        if not self.sharded:
            return rng.permutation(n)
        seed = int(rng.integers(2**63))  # the same draw on every rank
        return np.random.default_rng([seed, self.rank]).permutation(n)

    def share_of(self, n: int) -> tuple[int, int]:
        """The rows of an ``n``-row validation set this rank scores."""
        return (0, n) if self.sharded else shard_range(n, self.rank, self.size)

    # --------------------------------------------------------- around training
    def start(self, model: Any, history: Any) -> None:
        """Broadcast rank 0's state (weights, optimizer, generator, epochs, history)."""
        comm = self.comm
        for layer in model.layers:
            for array in layer.arrays().values():
                comm.Bcast(array, root=0)
        optimizer = model.optimizer
        state = comm.bcast((optimizer.iterations, optimizer.state, model.rng.bit_generator.state,
                            model.epochs_done, history.history, history.epoch)
                           if self.rank == 0 else None, root=0)
        if self.rank != 0:
            optimizer.iterations, optimizer.state = state[0], state[1]
            model.rng.bit_generator.state = state[2]
            model.epochs_done = state[3]
            history.history, history.epoch = state[4], state[5]
        # dropout masks: a generator per rank, seeded from the shared one
        self._dropout = [(layer, layer.rng) for layer in model.layers
                         if getattr(layer, "rng", None) is model.rng]
        if self._dropout:
            seed = int(model.rng.integers(2**63))
            for layer, _ in self._dropout:
                layer.rng = np.random.default_rng([seed, self.rank])
        if self.rank != 0:  # rank 0 alone warns (Ctrl-C, divergence), as it alone prints
            self._quiet = warnings.catch_warnings()
            self._quiet.__enter__()
            warnings.simplefilter("ignore")

    def finish(self, error: BaseException | None) -> None:
        """Give back the dropout generators; end every rank if only this one failed."""
        for layer, rng in self._dropout:
            layer.rng = rng
        self._dropout = []
        if self._quiet is not None:
            self._quiet.__exit__(None, None, None)
            self._quiet = None
        if error is None or getattr(error, "all_ranks", False) or self.size == 1:
            return
        abort(self.comm, error)

    # ------------------------------------------------------------ each step
    def share_step(self, grad: np.ndarray, loss: float, count: int, failed: bool,
                   interrupted: bool) -> tuple[float, int, list[int], bool]:
        """Average ``grad`` in place over the ranks with one Allreduce.

        Sends ``[count * grad, count * loss, count, interrupted, failed on rank 0,
        ..., failed on rank N-1]`` and divides the summed gradient by the summed
        count. Returns the global loss, the global batch size, the ranks whose loss
        was not finite, and whether Ctrl-C was pressed on any rank.
        """
        n = grad.size
        if self._buffer is None or self._buffer.size != n + 3 + self.size or (
                self._buffer.dtype != grad.dtype):
            self._buffer = np.empty(n + 3 + self.size, dtype=grad.dtype)
        buffer = self._buffer
        if count and not failed:
            np.multiply(grad, count, out=buffer[:n])
        else:
            buffer[:n] = 0
        tail = buffer[n:]
        tail[:] = 0
        tail[0] = 0.0 if failed or not count else loss * count
        tail[1], tail[2] = count, float(interrupted)
        tail[3 + self.rank] = float(failed)
        self.comm.Allreduce(self.MPI.IN_PLACE, buffer, op=self.MPI.SUM)
        total = float(tail[1])
        np.divide(buffer[:n], max(total, 1.0), out=grad)  # (no rows anywhere: a zero step)
        failed_ranks = np.flatnonzero(tail[3:]).tolist()
        return (float(tail[0]) / max(total, 1.0), int(round(total)), failed_ranks,
                bool(tail[2] > 0))

    # ------------------------------------------------------------ each epoch
    def any(self, flag: bool) -> bool:
        """Whether ``flag`` is true on any rank (one small Allreduce)."""
        return bool(self.comm.allreduce(int(bool(flag)), op=self.MPI.MAX))

    def average(self, arrays: list[np.ndarray]) -> None:
        """Replace each array by its mean over the ranks (BatchNorm running statistics)."""
        if not arrays:
            return
        flat = np.concatenate([a.ravel() for a in arrays]).astype(np.float64)
        self.comm.Allreduce(self.MPI.IN_PLACE, flat, op=self.MPI.SUM)
        flat /= self.size
        start = 0
        for array in arrays:
            array[...] = flat[start:start + array.size].reshape(array.shape)
            start += array.size

    def total(self, *values: float) -> list[float]:
        """Each value summed over the ranks."""
        summed = np.array(values, dtype=np.float64)
        self.comm.Allreduce(self.MPI.IN_PLACE, summed, op=self.MPI.SUM)
        return summed.tolist()

    def gather_rows(self, *arrays: np.ndarray | None) -> list[np.ndarray | None]:
        """Each array's rows from every rank, concatenated in rank order (None stays None)."""
        gathered = self.comm.allgather(arrays)
        return [None if parts[0] is None else np.concatenate(parts)
                for parts in zip(*gathered)]
