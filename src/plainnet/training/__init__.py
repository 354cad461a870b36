"""What ``fit`` needs beyond the maths: callbacks, progress, and the training loop's speed.

Nothing here changes a number: the update rules, losses and layers are the
ground floor's. This package holds the loop's helpers (batches, rollback on
divergence, Ctrl-C), the callbacks and what makes the loop fast (one flat
parameter vector, fused in-place updates), each tested equal to the plain form.

The learning-rate range test, :func:`lr_find`, is here too: it trains the
model briefly at growing learning rates and then puts everything back.
"""

from .lr_range import LRFindResult, lr_find

__all__ = ["LRFindResult", "lr_find"]
