"""Training that blew up while its numbers stayed finite: warned about once.

A loss that becomes NaN or infinite stops ``fit`` with
:class:`~plainnet.errors.TrainingDivergedError`. But a learning rate far
too large can also leave every number finite and the model useless: the
loss climbs by orders of magnitude, or a regression's validation R² sinks
to -3.6e14. :class:`DivergenceWatch` looks at each epoch's logs and warns
(:class:`~plainnet.errors.DivergenceWarning`, once per ``fit``) when

* the training loss is more than ``LOSS_GROWTH`` (100) times its first
  epoch's value, or
* a validation R² (``val_r2``) is below ``WORST_R2`` (-1): the predictions
  are further from the targets than their mean is, twice over.
"""

from __future__ import annotations

import math
import warnings

from ..errors import DivergenceWarning

__all__ = ["LOSS_GROWTH", "WORST_R2", "DivergenceWatch"]

#: the growth of the training loss over its first epoch's value that warns
LOSS_GROWTH = 100.0
#: the validation R² below which training is called diverged
WORST_R2 = -1.0


class DivergenceWatch:
    """Warns once when an epoch's logs show training has blown up (see the module)."""

    def __init__(self, first_loss: float | None = None) -> None:
        self.first_loss = first_loss  # a resumed run: the first epoch of the whole run
        self.warned = False

    def check(self, epoch: int, logs: dict[str, float]) -> None:
        """Look at the logs of ``epoch`` (0-based); warn the first time they look diverged."""
        loss = logs.get("loss")
        if loss is None or self.warned:
            return
        if self.first_loss is None:
            self.first_loss = loss
        problem = self.problem(loss, logs.get("val_r2"))
        if problem:
            self.warned = True
            warnings.warn(f"training looks diverged at epoch {epoch + 1}: {problem}; try a "
                          "smaller learning rate", DivergenceWarning, stacklevel=5)

    def problem(self, loss: float, val_r2: float | None) -> str | None:
        """What looks wrong, in words, or None."""
        if self.first_loss and self.first_loss > 0 and loss > LOSS_GROWTH * self.first_loss:
            return (f"the loss is {loss:.4g}, more than {LOSS_GROWTH:g} times its first "
                    f"epoch's {self.first_loss:.4g}")
        if val_r2 is not None and math.isfinite(val_r2) and val_r2 < WORST_R2:
            return f"the validation R² is {val_r2:.4g} (below {WORST_R2:g})"
        return None
