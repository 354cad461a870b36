"""The pieces of plainnet.distributed that need no mpiexec: shares, readers, digests, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import plainnet as pn
from plainnet.distributed import (
    array_digest,
    file_digest,
    import_mpi,
    model_digest,
    read_csv_shard,
    shard_range,
)
from plainnet.distributed.readers import byte_range
from plainnet.training.setup import fit_callbacks, rank_zero_only

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("n, size", [(10, 3), (2, 3), (7, 7), (0, 2), (103, 4)])
def test_shares_are_near_equal_contiguous_and_cover_every_item_once(n, size):
    shares = [shard_range(n, rank, size) for rank in range(size)]
    assert shares[0][0] == 0 and shares[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(shares, shares[1:]))
    lengths = [stop - start for start, stop in shares]
    assert max(lengths) - min(lengths) <= 1
    assert lengths == sorted(lengths, reverse=True)  # the first ranks take the extra items


@pytest.mark.parametrize("size", [1, 2, 3, 5, 40])
def test_byte_ranges_give_each_line_to_exactly_one_rank(tmp_path, size):
    rng = np.random.default_rng(0)
    lines = ["x" * int(k) for k in rng.integers(0, 30, size=25)]
    path = tmp_path / "data.csv"
    path.write_text("header\n" + "\n".join(lines) + "\n")
    read = []
    for rank in range(size):
        start, stop, header = byte_range(path, rank, size)
        assert header == "header\n"
        with open(path, "rb") as file:
            file.seek(start)
            read += file.read(stop - start).decode().splitlines()
    assert read == lines


def test_csv_shards_parse_only_their_rows(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,y,b\n" + "".join(f"{i},{i % 2},{-i}\n" for i in range(10)))
    parts = [read_csv_shard(path, "y", rank, 3, check=False) for rank in range(3)]
    X = np.concatenate([part[0] for part in parts])
    np.testing.assert_array_equal(X, np.column_stack([np.arange(10), -np.arange(10)]))
    np.testing.assert_array_equal(np.concatenate([part[1] for part in parts]),
                                  np.arange(10) % 2)
    assert parts[0][2] == ["a", "b"]
    assert read_csv_shard(path, -2, 0, 1, check=False)[2] == ["a", "b"]


def test_csv_shard_errors_name_the_file_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,y\n1,0\n2,oops\n3,1,4\n")
    with pytest.raises(ValueError, match=r"the line at byte 8, column 'y': 'oops' is not a num"):
        read_csv_shard(path, "y", 0, 1, check=False)
    path.write_text("a,y\n1,0\n3,1,4\n")
    with pytest.raises(ValueError, match="has 3 cells, but the header names 2 columns"):
        read_csv_shard(path, "y", 0, 1, check=False)
    with pytest.raises(ValueError, match=r"target 'z' is not a column .* columns are \['a', 'y'\]"):
        read_csv_shard(path, "z", 0, 1, check=False)


def test_digests_tell_different_data_files_and_models_apart(tmp_path):
    X = np.arange(40.0).reshape(20, 2)
    assert array_digest(X) == array_digest(X.copy())
    changed = X.copy()
    changed[-1, 0] += 1  # the last row is always sampled
    assert array_digest(changed) != array_digest(X)
    assert array_digest(X[:19]) != array_digest(X)
    assert array_digest(X[:19], rows=False) == array_digest(X, rows=False)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("a,b\n1,2\n")
    second.write_text("a,c\n1,2\n")
    assert file_digest(first) != file_digest(second)

    def model(units=4, lr=0.01):
        m = pn.Sequential([pn.Dense(units), pn.Dense(1)], seed=0, input_shape=(2,))
        m.compile(loss="mse", optimizer=pn.Adam(learning_rate=lr))
        return m

    assert model_digest(model()) == model_digest(model())
    assert model_digest(model(units=5)) != model_digest(model())
    assert model_digest(model(lr=0.1)) != model_digest(model())


def test_without_mpi4py_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    # the command that works here (from this checkout: pip install -e ".[mpi]")
    with pytest.raises(ImportError, match=r'needs mpi4py.*pip install .*\[mpi\]'):
        import_mpi()
    model = pn.Sequential([pn.Dense(1)], seed=0, input_shape=(2,))
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ImportError, match=r'pip install .*\[mpi\]'):
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0, strategy="mpi")


def test_a_strategy_that_is_not_one_is_refused():
    model = pn.Sequential([pn.Dense(1)], seed=0, input_shape=(2,))
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ValueError, match=r"strategy must be one of \['mpi'\].*got 'horovod'"):
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0, strategy="horovod")
    with pytest.raises(TypeError, match="strategy must be None, 'mpi' or a strategy object"):
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0, strategy=3)


class Rank:
    def __init__(self, rank):
        self.rank, self.n_samples = rank, 10


def test_ranks_other_than_0_leave_out_the_callbacks_that_print_or_write(tmp_path):
    class Mine(pn.callbacks.Callback):
        pass

    class Loud(pn.callbacks.Callback):
        rank_zero_only = True

    early, mine, loud = pn.callbacks.EarlyStopping(monitor="loss"), Mine(), Loud()
    logger = pn.callbacks.CSVLogger(tmp_path / "log.csv")
    history = pn.callbacks.History()
    chosen = fit_callbacks([early, mine, loud, logger], tmp_path / "m.pnet", history, 1, 2, 10,
                           Rank(1))
    assert chosen == [history, early, mine]
    chosen = fit_callbacks([early, logger], None, history, 2, 2, 10, Rank(0))
    assert chosen[:3] == [history, early, logger] and rank_zero_only(chosen[3])


def test_one_process_with_the_strategy_trains_as_without_it():
    """MPIStrategy in a process started without mpiexec (a world of one rank)."""
    pytest.importorskip("mpi4py", reason='mpi4py is not installed: pip install -e ".[mpi]"')
    code = f"""
import sys, numpy as np
sys.path.insert(0, {str(HERE)!r})
import mpi_scenarios as s
from plainnet.distributed import MPIStrategy
X, y = s.make_data()
alone = s.fit(s.build("sgd"), X, y).get_weights()
model = s.fit(s.build("sgd"), X, y, MPIStrategy())
for a, b in zip(model.get_weights(), alone):
    assert np.max(np.abs(a - b)) <= 1e-6 * np.max(np.abs(b))
# sharded: its own shuffle and near-equal pieces, so other numbers; it still learns
losses = s.fit(s.build("sgd"), X, y, MPIStrategy(sharded=True)).history.history["loss"]
assert losses[-1] < losses[0], losses
print("same")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "same"
