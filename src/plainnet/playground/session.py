"""A session: one page's data set and model, trained by a thread of its own.

Every browser tab gets a :class:`Session`. Its worker thread trains the real
``Sequential`` a few epochs at a time (about a tenth of a second of work,
so that the pictures move smoothly) while Run is on, and after each chunk
publishes a fresh :meth:`~Session.state`. Requests never wait for training
to finish: they change settings or read the last state, taking the
session's lock for at most one chunk.

:class:`SessionStore` keeps the sessions, hands out a secret token with
each, and frees a session nobody has asked about for ``timeout`` seconds
(a closed tab): its worker stops and its model is dropped.
"""

from __future__ import annotations

import math
import secrets
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import TrainingDivergedError
from .datasets import task_of
from .recipe import build_model, make_data, python_code
from .settings import LIMITS, Settings
from .views import EXTENT, GRID, NEURON_GRID, model_pictures

__all__ = ["MAX_SESSIONS", "Session", "SessionStore"]

MAX_SESSIONS = 16  # beyond this, creating a session frees the one idle the longest
CHUNK_SECONDS = 0.1  # training time between two published states
MAX_EPOCHS = int(LIMITS["epochs"][1])  # no model trains further, Run or Step


class Session:
    """One page's settings, data, model and training thread.

    Parameters
    ----------
    settings : Settings
    timeout : float
        Seconds without a request after which the worker stops by itself.
    """

    def __init__(self, settings: Settings, timeout: float) -> None:
        self.id = secrets.token_hex(8)
        self.token = secrets.token_urlsafe(24)
        self.timeout = timeout
        self.last_seen = time.monotonic()
        self._lock = threading.Lock()  # guards the model, the data and the settings
        self._wake = threading.Event()  # set while running (or closing)
        self._closed = False
        self.running = False
        self.error: str | None = None
        self.data_version = self.model_version = 0
        self._epochs_per_chunk = 1
        self._rebuild(settings, new_data=True)
        self._publish()
        self._thread = threading.Thread(target=self._work, name=f"playground-{self.id}",
                                        daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- requests
    def touch(self) -> None:
        """Note that the page is still there."""
        self.last_seen = time.monotonic()

    @property
    def closed(self) -> bool:
        return self._closed

    def change(self, settings: Settings) -> None:
        """Apply new settings: a new model (and new data if the data settings changed)."""
        with self._lock:
            data_fields = ("dataset", "noise", "train_ratio", "n_points", "seed")
            new_data = any(getattr(settings, f) != getattr(self.settings, f)
                           for f in data_fields)
            self._rebuild(settings, new_data)
            self._publish()

    def reset(self) -> None:
        """Start again from fresh weights (epoch 0), paused."""
        self.change(self.settings)

    def set_running(self, running: bool) -> None:
        """Run (train in the background until ``settings.epochs``) or pause."""
        with self._lock:
            self.running = bool(running) and self.model.epochs_done < self._limit()
            if self.running:
                self.error = None
                self._wake.set()
            else:
                self._wake.clear()
                if running:
                    self.error = (f"the model has had its {self._limit()} epochs: choose a "
                                  "later epoch to stop at, or press Reset")
            self._publish()

    def step(self) -> None:
        """Pause, then train exactly one epoch."""
        with self._lock:
            self.running = False
            self._wake.clear()
            if self.model.epochs_done < MAX_EPOCHS:
                self._train(1)
            self._publish()

    def state(self, since: int = 0, data_version: int = -1) -> dict[str, Any]:
        """The last published state; losses from epoch ``since`` on; points if new.

        The points are included when ``data_version`` is not the current one.
        Reading needs no lock: a published snapshot is never changed, only replaced.
        """
        published, points, losses = self._snapshot
        state = dict(published)
        since = min(max(since, 0), len(losses["train"]))
        state["train_loss"] = losses["train"][since:]
        state["test_loss"] = losses["test"][since:]
        state["loss_from"] = since
        if data_version != state["data_version"]:
            state["points"] = points
        return state

    def model_file(self) -> bytes:
        """The model as the bytes of a ``.pnet`` file (what ``plainnet.load`` opens)."""
        with self._lock, tempfile.TemporaryDirectory(prefix="plainnet-playground-") as folder:
            path = Path(folder) / "playground.pnet"
            self.model.save(path)
            return path.read_bytes()

    def close(self) -> None:
        """Stop the worker and drop the model."""
        self._closed = True
        self._wake.set()

    # ---------------------------------------------------------------- the model
    def _limit(self) -> int:
        return min(self.settings.epochs, MAX_EPOCHS)

    def _rebuild(self, settings: Settings, new_data: bool) -> None:
        """New weights for ``settings`` (new points too with ``new_data``); paused."""
        self.settings = settings
        if new_data:
            self.X_train, self.X_test, self.y_train, self.y_test = make_data(settings)
            self.data_version += 1
            rows = [np.column_stack([X, y]).round(4).tolist()
                    for X, y in ((self.X_train, self.y_train), (self.X_test, self.y_test))]
            self._points = {"train": rows[0], "test": rows[1]}
        self.model = build_model(settings)
        self.model.metadata = {"playground": settings.to_json()}
        self.model_version += 1
        self.running, self.error = False, None
        self._wake.clear()
        self._losses: dict[str, list[float]] = {"train": [], "test": []}

    def _train(self, epochs: int) -> None:
        """Train ``epochs`` more epochs (held lock); record the losses; stop on divergence."""
        target = min(self.model.epochs_done + epochs, MAX_EPOCHS)
        try:
            history = self.model.fit(
                self.X_train, self.y_train, epochs=target, resume=True,
                batch_size=min(self.settings.batch_size, len(self.X_train)),
                validation_data=(self.X_test, self.y_test), verbose=0)
        except TrainingDivergedError:
            self.running, self.error = False, (
                "training diverged (the loss is no longer a finite number): lower the "
                "learning rate and press Reset")
            self._wake.clear()
            return
        self._losses = {"train": _finite(history.history.get("loss", [])),
                        "test": _finite(history.history.get("val_loss", []))}

    def _describe(self) -> dict[str, Any]:
        """The state the page draws (held lock), without the losses and points."""
        regression = task_of(self.settings.dataset) == "regression"
        scale = float(np.abs(self.y_train).max()) if regression else 1.0
        epochs = self.model.epochs_done
        return {
            "session": self.id, "epoch": epochs, "running": self.running,
            "error": self.error, "settings": self.settings.to_json(),
            "task": task_of(self.settings.dataset), "target_scale": scale,
            "data_version": self.data_version, "model_version": self.model_version,
            "extent": EXTENT, "grid": GRID, "neuron_grid": NEURON_GRID,
            "python": python_code(self.settings, epochs or self.settings.epochs),
            **model_pictures(self.model, regression, scale),
        }

    def _publish(self) -> None:
        """Replace the snapshot that :meth:`state` reads (held lock)."""
        self._snapshot = (self._describe(), self._points, self._losses)

    # ---------------------------------------------------------------- the worker
    def _work(self) -> None:
        """Train while running, a chunk at a time; stop when closed or abandoned."""
        while not self._closed:
            if time.monotonic() - self.last_seen > self.timeout:
                self.close()
                break
            if not self._wake.wait(timeout=min(1.0, self.timeout)):
                continue
            with self._lock:
                if self._closed or not self.running:
                    continue
                start = time.monotonic()
                done = self.model.epochs_done
                self._train(min(self._epochs_per_chunk, self._limit() - done))
                per_epoch = (time.monotonic() - start) / max(self.model.epochs_done - done, 1)
                self._epochs_per_chunk = int(np.clip(CHUNK_SECONDS / max(per_epoch, 1e-6),
                                                     1, 50))
                if self.model.epochs_done >= self._limit():
                    self.running = False
                    self._wake.clear()
                self._publish()
            time.sleep(0.002)  # let a waiting request take the lock
        self.model = None  # type: ignore[assignment]


def _finite(values: list[float]) -> list[float | None]:
    """The values, with None for NaN and infinity (which JSON cannot hold)."""
    return [value if math.isfinite(value) else None for value in values]


class SessionStore:
    """The live sessions of one server, by id.

    Parameters
    ----------
    timeout : float, default 600
        Seconds without a request after which a session is freed.
    """

    def __init__(self, timeout: float = 600.0) -> None:
        self.timeout = timeout
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, settings: Settings) -> Session:
        """A new session; the idlest one is freed first when there are too many."""
        self.sweep()
        session = Session(settings, self.timeout)
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                idlest = min(self._sessions.values(), key=lambda s: s.last_seen)
                idlest.close()
                del self._sessions[idlest.id]
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str) -> Session | None:
        """The live session with this id, or None."""
        self.sweep()
        with self._lock:
            return self._sessions.get(session_id)

    def sweep(self) -> None:
        """Free the sessions nobody asked about for ``timeout`` seconds."""
        now = time.monotonic()
        with self._lock:
            for key, session in list(self._sessions.items()):
                if session.closed or now - session.last_seen > self.timeout:
                    session.close()
                    del self._sessions[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def close_all(self) -> None:
        """Stop every session (when the server stops)."""
        with self._lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()

