"""Tests for plainnet.schedules: values against hand formulas, and use inside optimizers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from plainnet import SGD, Adam, CosineDecay, Dense, ExponentialDecay, Sequential, StepDecay
from plainnet.schedules import SCHEDULE_TYPES, Schedule, WarmupCosineDecay

STEPS = [0, 1, 2, 5, 9, 10, 11, 25, 100, 1000]


@pytest.mark.parametrize("step", STEPS)
def test_exponential_decay(step):
    # lr = lr0 * rate ** (step / decay_steps)
    schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert schedule(step) == pytest.approx(0.1 * 0.5 ** (step / 10), rel=1e-14)


@pytest.mark.parametrize("step", STEPS)
def test_exponential_decay_staircase(step):
    # lr = lr0 * rate ** floor(step / decay_steps)
    schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert schedule(step) == pytest.approx(0.1 * 0.5 ** (step // 10), rel=1e-14)


def test_staircase_is_constant_within_a_period():
    schedule = ExponentialDecay(1.0, decay_steps=4, decay_rate=0.1, staircase=True)
    assert [schedule(s) for s in range(9)] == pytest.approx(
        [1.0] * 4 + [0.1] * 4 + [0.01], rel=1e-14)
    smooth = ExponentialDecay(1.0, decay_steps=4, decay_rate=0.1)
    assert smooth(2) == pytest.approx(0.1**0.5, rel=1e-14)


@pytest.mark.parametrize("step", STEPS)
def test_step_decay(step):
    # lr = lr0 * gamma ** floor(step / step_size)
    schedule = StepDecay(0.2, step_size=3, gamma=0.5)
    assert schedule(step) == pytest.approx(0.2 * 0.5 ** (step // 3), rel=1e-14)


def test_step_decay_default_gamma():
    schedule = StepDecay(1.0, step_size=2)
    assert [schedule(s) for s in range(5)] == pytest.approx([1, 1, 0.1, 0.1, 0.01], rel=1e-14)


@pytest.mark.parametrize("alpha", [0.0, 0.1])
@pytest.mark.parametrize("step", STEPS)
def test_cosine_decay(step, alpha):
    # t = min(step, T) / T; lr = lr0 * ((1 - alpha) * (1 + cos(pi t)) / 2 + alpha)
    schedule = CosineDecay(0.1, decay_steps=10, alpha=alpha)
    t = min(step, 10) / 10
    expected = 0.1 * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * t)) + alpha)
    assert schedule(step) == pytest.approx(expected, rel=1e-12, abs=1e-18)


def test_cosine_decay_landmarks():
    schedule = CosineDecay(0.1, decay_steps=10, alpha=0.2)
    assert schedule(0) == pytest.approx(0.1, rel=1e-15)
    assert schedule(5) == pytest.approx(0.1 * (0.8 * 0.5 + 0.2), rel=1e-12)  # half way
    assert schedule(10) == pytest.approx(0.02, rel=1e-12)
    assert schedule(50) == schedule(10)  # constant afterwards
    values = [schedule(s) for s in range(11)]
    assert all(a > b for a, b in zip(values, values[1:]))


def test_match_torch_lr_schedulers():
    torch = pytest.importorskip("torch")
    param = torch.zeros(1, requires_grad=True)

    def torch_lrs(make, n):
        opt = torch.optim.SGD([param], lr=0.1)
        scheduler = make(opt)
        lrs = []
        for _ in range(n):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            scheduler.step()
        return lrs

    n = 15
    step_lr = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 4, gamma=0.5), n)
    assert step_lr == pytest.approx([StepDecay(0.1, 4, 0.5)(s) for s in range(n)], rel=1e-12)
    exp_lr = torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), n)
    ours = ExponentialDecay(0.1, decay_steps=1, decay_rate=0.9)
    assert exp_lr == pytest.approx([ours(s) for s in range(n)], rel=1e-12)
    cos_lr = torch_lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 11)
    ours = CosineDecay(0.1, decay_steps=10, alpha=0.1)
    assert cos_lr == pytest.approx([ours(s) for s in range(11)], rel=1e-9)


class RecordingSGD(SGD):
    """SGD that records the learning rate each update actually used (its own rule: fit takes
    the plain path and calls it for every parameter)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.used: list[tuple[int, float]] = []

    def update(self, p, g, state, lr):
        if not self.used or self.used[-1][0] != self.iterations:
            self.used.append((self.iterations, lr))
        return super().update(p, g, state, lr)


@pytest.mark.parametrize("schedule", [
    ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5),
    ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5, staircase=True),
    StepDecay(0.1, step_size=4, gamma=0.5),
    CosineDecay(0.1, decay_steps=10, alpha=0.05),
    WarmupCosineDecay(0.1, warmup_steps=4, decay_steps=8, alpha=0.1),
], ids=["exp", "exp-staircase", "step", "cosine", "warmup-cosine"])
def test_learning_rate_follows_the_schedule_per_step_during_fit(schedule):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))
    model = Sequential([Dense(3, 1)], seed=0, dtype=np.float64)
    optimizer = RecordingSGD(learning_rate=schedule)
    model.compile(loss="mse", optimizer=optimizer)
    model.fit(X, y, epochs=3, batch_size=4, verbose=0)  # 5 batches per epoch, 15 steps
    assert optimizer.iterations == 15
    # update number t (from 1) uses schedule(t - 1): steps are counted across epochs
    assert optimizer.used == [(t, pytest.approx(schedule(t - 1), rel=1e-15))
                              for t in range(1, 16)]
    # plainnet's own SGD (the fused path in fit) follows the schedule alike
    fused = Sequential([Dense(3, 1)], seed=0, dtype=np.float64)
    fused.compile(loss="mse", optimizer=SGD(learning_rate=schedule))
    fused.fit(X, y, epochs=3, batch_size=4, verbose=0)
    for a, b in zip(fused.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_sgd_with_schedule_moves_by_the_scheduled_amount():
    # one weight, constant gradient 1: after k steps w = -sum(schedule(t) for t < k)
    schedule = StepDecay(0.5, step_size=2, gamma=0.1)
    opt = SGD(learning_rate=schedule)
    w = np.zeros(1)
    for k in range(1, 6):
        opt.step([("w", w, np.ones(1))])
        assert w[0] == pytest.approx(-sum(schedule(t) for t in range(k)), rel=1e-14)


def test_adam_with_schedule_in_float32_keeps_float32():
    model = Sequential([Dense(2, 2)], seed=0)
    model.compile(loss="mse", optimizer=Adam(CosineDecay(1e-2, decay_steps=5)))
    X = np.ones((4, 2), dtype=np.float32)
    model.fit(X, X, epochs=2, batch_size=2, verbose=0)
    for _, param, _ in model.parameters():
        assert param.dtype == np.float32


def test_bad_arguments():
    with pytest.raises(ValueError, match="decay_steps"):
        ExponentialDecay(0.1, decay_steps=0, decay_rate=0.5)
    with pytest.raises(ValueError, match="decay_rate"):
        ExponentialDecay(0.1, decay_steps=1, decay_rate=0.0)
    with pytest.raises(TypeError, match="step_size"):
        StepDecay(0.1, step_size=1.5)
    with pytest.raises(ValueError, match="alpha"):
        CosineDecay(0.1, decay_steps=10, alpha=2.0)
    with pytest.raises(ValueError, match="initial_learning_rate"):
        CosineDecay(-0.1, decay_steps=10)


@pytest.mark.parametrize("schedule", [
    ExponentialDecay(0.1, 7, 0.3, staircase=True), StepDecay(0.2, 3), CosineDecay(0.1, 9, 0.1),
    WarmupCosineDecay(0.1, 5, 9, 0.1)])
def test_config_round_trip(schedule):
    assert isinstance(schedule, Schedule)
    rebuilt = SCHEDULE_TYPES[type(schedule).__name__](**schedule.get_config())
    assert [rebuilt(s) for s in range(30)] == [schedule(s) for s in range(30)]
    assert type(schedule).__name__ in repr(schedule)


# ---------------------------------------------------- warmup, then cosine
@pytest.mark.parametrize("step", STEPS)
def test_warmup_cosine_decay(step):
    # step < W: lr = peak (step + 1) / W; then t = min(step - W, T) / T and
    # lr = peak ((1 - alpha) (1 + cos(pi t)) / 2 + alpha)
    schedule = WarmupCosineDecay(0.1, warmup_steps=5, decay_steps=20, alpha=0.1)
    if step < 5:
        expected = 0.1 * (step + 1) / 5
    else:
        t = min(step - 5, 20) / 20
        expected = 0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi * t)) + 0.1)
    assert schedule(step) == pytest.approx(expected, rel=1e-12)


def test_warmup_cosine_decay_landmarks():
    schedule = WarmupCosineDecay(1.0, warmup_steps=4, decay_steps=10)
    values = [schedule(s) for s in range(20)]
    assert values[:5] == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0], rel=1e-15)  # climbs, peaks
    assert all(a > b for a, b in zip(values[4:14], values[5:15]))  # then falls
    assert values[14:] == [0.0] * 6  # and stays at alpha * peak
    no_warmup = WarmupCosineDecay(0.3, warmup_steps=0, decay_steps=7, alpha=0.2)
    cosine = CosineDecay(0.3, decay_steps=7, alpha=0.2)
    assert [no_warmup(s) for s in range(10)] == pytest.approx([cosine(s) for s in range(10)],
                                                              rel=1e-15)


def test_warmup_cosine_decay_bad_arguments():
    with pytest.raises(ValueError, match="warmup_steps must be >= 0"):
        WarmupCosineDecay(0.1, warmup_steps=-1, decay_steps=10)
    with pytest.raises(ValueError, match="decay_steps must be >= 1"):
        WarmupCosineDecay(0.1, warmup_steps=2, decay_steps=0)
    with pytest.raises(ValueError, match="peak_learning_rate must be >= 0"):
        WarmupCosineDecay(-0.1, warmup_steps=2, decay_steps=10)
    with pytest.raises(ValueError, match="alpha must be <= 1"):
        WarmupCosineDecay(0.1, warmup_steps=2, decay_steps=10, alpha=1.5)
