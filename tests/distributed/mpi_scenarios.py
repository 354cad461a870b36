"""Training scenarios that tests/distributed runs under ``mpiexec`` (and alone, for reference).

``python mpi_scenarios.py NAME OUT_PREFIX [JSON]`` runs scenario ``NAME`` on
every rank and writes ``OUT_PREFIX.<rank>.npz`` (the final weights and the
history) where the scenario gets that far.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import numpy as np

import plainnet as pn

N_SAMPLES, N_FEATURES, N_CLASSES = 103, 5, 3


def make_data(n: int = N_SAMPLES, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int) + (X[:, 2] > 1).astype(int)
    return X, y


def build(optimizer: str = "adam", units: int = 16, batchnorm: bool = False,
          dropout: float = 0.0) -> pn.Sequential:
    layers = [pn.Dense(units, activation="tanh")]
    if batchnorm:
        layers.append(pn.BatchNormalization())
    if dropout:
        layers.append(pn.Dropout(dropout))
    layers += [pn.Dense(N_CLASSES), pn.Softmax()]
    model = pn.Sequential(layers, seed=1, dtype=np.float64, input_shape=(N_FEATURES,))
    opt = (pn.SGD(learning_rate=0.05, momentum=0.9) if optimizer == "sgd"
           else pn.Adam(learning_rate=0.01))
    model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
    return model


def fit(model: pn.Sequential, X, y, strategy=None, **options) -> pn.Sequential:
    settings = dict(epochs=3, batch_size=16, shuffle=True, validation_split=0.2, verbose=0)
    settings.update(options)
    model.fit(X, y, strategy=strategy, **settings)
    return model


def save(model: pn.Sequential, out: str, rank: int) -> None:
    arrays = {f"w{i}": w for i, w in enumerate(model.get_weights())}
    history = json.dumps({"history": model.history.history, "epochs": model.epochs_done})
    np.savez(f"{out}.{rank}.npz", history=np.array(history), **arrays)


def main() -> None:
    from plainnet.distributed import MPIStrategy, read_csv_shard

    name, out = sys.argv[1], sys.argv[2]
    options = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    from mpi4py import MPI

    rank = MPI.COMM_WORLD.Get_rank()
    X, y = make_data()
    if name == "train":  # the equality scenario: memory-mapped data, like one process
        if options.pop("mmap", False):
            path = f"{out}.X.npy"
            if rank == 0:
                np.save(path, X)
            MPI.COMM_WORLD.Barrier()
            X = np.load(path, mmap_mode="r")
        model = build(options.pop("optimizer", "adam"), batchnorm=options.pop("bn", False),
                      dropout=options.pop("dropout", 0.0))
        save(fit(model, X, y, MPIStrategy(), **options), out, rank)
    elif name == "other_data":  # rank 1 loaded another file
        if rank == 1:
            X, y = make_data(seed=1)
        fit(build(), X, y, MPIStrategy())
    elif name == "other_model":
        fit(build(units=17 if rank == 1 else 16), X, y, MPIStrategy())
    elif name == "small_batch":
        fit(build(), X, y, MPIStrategy(), batch_size=1)
    elif name == "few_samples":
        fit(build(), X[:2], y[:2], MPIStrategy(), validation_split=0.0)
    elif name == "diverge":  # a huge value in rank 1's piece of the first batch
        X = X.copy()
        X[7, 0] = 1e200
        model = pn.Sequential([pn.Dense(1)], seed=1, dtype=np.float64, input_shape=(N_FEATURES,))
        model.compile(loss="mse", optimizer="sgd")
        fit(model, X, X[:, 1], MPIStrategy(), shuffle=False, batch_size=10)
    elif name in ("raise", "ctrl_c", "kill"):
        action = {"raise": lambda: (_ for _ in ()).throw(RuntimeError("boom in a callback")),
                  "ctrl_c": lambda: os.kill(os.getpid(), signal.SIGINT),
                  "kill": lambda: os.kill(os.getpid(), signal.SIGKILL)}[name]
        at = tuple(options.pop("at", (1, 2)))

        class Act(pn.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.epoch = epoch

            def on_batch_end(self, batch, logs=None):
                if rank == 1 and (self.epoch, batch) == at:
                    action()

        model = build()
        fit(model, X, y, MPIStrategy(), callbacks=[Act()], **options)
        save(model, out, rank)
    elif name == "resume":
        model = pn.load(options.pop("checkpoint"))
        fit(model, X, y, MPIStrategy(), resume=True, **options)
        save(model, out, rank)
    elif name == "csv":
        path = options["path"]
        if rank == 1 and options.get("other"):
            path = options["other"]
        Xr, yr, names = read_csv_shard(path, target="y")
        np.savez(f"{out}.{rank}.rows.npz", X=Xr, y=yr)
        model = build()
        fit(model, Xr, yr, MPIStrategy(sharded=True), validation_split=0.0, batch_size=16)
        save(model, out, rank)
    else:
        raise SystemExit(f"unknown scenario {name!r}")


if __name__ == "__main__":
    main()
