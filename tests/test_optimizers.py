"""Tests for plainnet.optimizers: published update rules, clipnorm, schedules, state, PyTorch.

Every expected value is computed here, independently, with plain NumPy from
the update rule as published (the formula is written out in each test), and
fed the same fixed gradients through ``optimizer.step([(name, param, grad)])``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from plainnet import SGD, Adagrad, Adam, AdamW, CosineDecay, ExponentialDecay, RMSprop, StepDecay
from plainnet import optimizers as optimizers_module

P0 = np.array([0.5, -1.0, 2.0, 0.0])
GRADS = [
    np.array([0.1, -0.2, 0.3, 0.0]),
    np.array([-0.4, 0.5, 0.05, 1.0]),
    np.array([0.2, 0.2, -0.6, -0.5]),
]


def run_steps(optimizer, grads=GRADS, p0=P0, name="w"):
    """Apply ``grads`` one step each to a copy of ``p0``; return the parameter after each."""
    param = p0.copy()
    trajectory = []
    for g in grads:
        optimizer.step([(name, param, g.copy())])
        trajectory.append(param.copy())
    return trajectory


def assert_trajectory(actual, expected):
    assert len(actual) == len(expected)
    for step, (a, e) in enumerate(zip(actual, expected), start=1):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-15, err_msg=f"step {step}")


# --------------------------------------------------------- published update rules
def test_sgd_plain_three_steps():
    # p_t = p_{t-1} - lr * g_t
    lr = 0.1
    p, expected = P0.copy(), []
    for g in GRADS:
        p = p - lr * g
        expected.append(p)
    assert_trajectory(run_steps(SGD(lr)), expected)


def test_sgd_momentum_three_steps():
    # heavy ball (Polyak), as PyTorch writes it: v_t = mu v_{t-1} + g_t; p_t = p_{t-1} - lr v_t
    lr, mu = 0.1, 0.9
    p, v, expected = P0.copy(), np.zeros_like(P0), []
    for g in GRADS:
        v = mu * v + g
        p = p - lr * v
        expected.append(p)
    assert_trajectory(run_steps(SGD(lr, momentum=mu)), expected)


def test_sgd_momentum_matches_keras_velocity_form_for_constant_lr():
    # Keras form: u_t = mu u_{t-1} - lr g_t; p_t = p_{t-1} + u_t (equal when lr is constant)
    lr, mu = 0.05, 0.8
    p, u, expected = P0.copy(), np.zeros_like(P0), []
    for g in GRADS:
        u = mu * u - lr * g
        p = p + u
        expected.append(p)
    assert_trajectory(run_steps(SGD(lr, momentum=mu)), expected)


def test_sgd_nesterov_three_steps():
    # Nesterov (Sutskever et al. 2013, PyTorch form):
    # v_t = mu v_{t-1} + g_t; p_t = p_{t-1} - lr (g_t + mu v_t)
    lr, mu = 0.1, 0.9
    p, v, expected = P0.copy(), np.zeros_like(P0), []
    for g in GRADS:
        v = mu * v + g
        p = p - lr * (g + mu * v)
        expected.append(p)
    actual = run_steps(SGD(lr, momentum=mu, nesterov=True))
    assert_trajectory(actual, expected)
    assert not np.allclose(actual[-1], run_steps(SGD(lr, momentum=mu))[-1])


def _adam_reference(lr, b1, b2, eps, weight_decay=0.0):
    # Kingma & Ba (2015), Algorithm 1:
    #   m_t = b1 m + (1 - b1) g;  v_t = b2 v + (1 - b2) g^2
    #   m_hat = m_t / (1 - b1^t); v_hat = v_t / (1 - b2^t)
    #   p_t = p_{t-1} - lr m_hat / (sqrt(v_hat) + eps)
    # AdamW (Loshchilov & Hutter 2019) first decays the weights: p <- p - lr * wd * p
    p, m, v, expected = P0.copy(), np.zeros_like(P0), np.zeros_like(P0), []
    for t, g in enumerate(GRADS, start=1):
        decayed = p - lr * weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        p = decayed - lr * m_hat / (np.sqrt(v_hat) + eps)
        expected.append(p)
    return expected


def test_adam_three_steps():
    expected = _adam_reference(0.01, 0.9, 0.999, 1e-8)
    assert_trajectory(run_steps(Adam(0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-8)), expected)
    expected = _adam_reference(0.2, 0.5, 0.7, 1e-3)
    assert_trajectory(run_steps(Adam(0.2, beta_1=0.5, beta_2=0.7, epsilon=1e-3)), expected)


def test_adamw_three_steps():
    expected = _adam_reference(0.01, 0.9, 0.999, 1e-8, weight_decay=0.1)
    actual = run_steps(AdamW(0.01, weight_decay=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8))
    assert_trajectory(actual, expected)
    # decoupled: different from Adam, and weight_decay=0 is exactly Adam
    assert not np.allclose(actual[-1], _adam_reference(0.01, 0.9, 0.999, 1e-8)[-1])
    assert_trajectory(run_steps(AdamW(0.01, weight_decay=0.0)), run_steps(Adam(0.01)))


def test_rmsprop_three_steps():
    # Hinton (2012): s_t = rho s + (1 - rho) g^2; p_t = p_{t-1} - lr g / (sqrt(s_t) + eps)
    lr, rho, eps = 0.01, 0.9, 1e-7
    p, s, expected = P0.copy(), np.zeros_like(P0), []
    for g in GRADS:
        s = rho * s + (1 - rho) * g**2
        p = p - lr * g / (np.sqrt(s) + eps)
        expected.append(p)
    assert_trajectory(run_steps(RMSprop(lr, rho=rho, epsilon=eps)), expected)


@pytest.mark.parametrize("initial", [0.0, 0.1])
def test_adagrad_three_steps(initial):
    # Duchi et al. (2011): G_t = G_{t-1} + g^2; p_t = p_{t-1} - lr g / (sqrt(G_t) + eps)
    lr, eps = 0.1, 1e-10
    p, total, expected = P0.copy(), np.full_like(P0, initial), []
    for g in GRADS:
        total = total + g**2
        p = p - lr * g / (np.sqrt(total) + eps)
        expected.append(p)
    actual = run_steps(Adagrad(lr, initial_accumulator_value=initial, epsilon=eps))
    assert_trajectory(actual, expected)


# -------------------------------------------------------------------- clipnorm
ALL_OPTIMIZERS = [
    pytest.param(lambda **kw: SGD(0.1, **kw), id="sgd"),
    pytest.param(lambda **kw: SGD(0.1, momentum=0.9, **kw), id="sgd-momentum"),
    pytest.param(lambda **kw: SGD(0.1, momentum=0.9, nesterov=True, **kw), id="sgd-nesterov"),
    pytest.param(lambda **kw: Adam(0.1, **kw), id="adam"),
    pytest.param(lambda **kw: AdamW(0.1, weight_decay=0.05, **kw), id="adamw"),
    pytest.param(lambda **kw: RMSprop(0.1, **kw), id="rmsprop"),
    pytest.param(lambda **kw: Adagrad(0.1, **kw), id="adagrad"),
]


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_clipnorm_scales_a_large_gradient_to_the_norm(make):
    direction = np.array([3.0, -4.0, 0.0, 12.0])
    big = 10.0 * direction / np.linalg.norm(direction)  # norm 10
    unit = big / 10.0  # the same direction at norm 1
    grads = [big, 2 * big, big]  # norm 10, 20, 10: all clipped to norm 1
    clipped = run_steps(make(clipnorm=1.0), grads=grads)
    by_hand = run_steps(make(), grads=[unit, unit, unit])
    assert_trajectory(clipped, by_hand)
    assert not np.allclose(run_steps(make(), grads=grads)[-1], clipped[-1])  # clipping matters


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_clipnorm_leaves_small_gradients_alone(make):
    small = [g * 0.5 for g in GRADS]  # every norm < 1
    assert all(np.linalg.norm(g) < 1 for g in small)
    assert_trajectory(run_steps(make(clipnorm=1.0), grads=small), run_steps(make(), grads=small))


def test_clipnorm_is_per_parameter():
    opt = SGD(1.0, clipnorm=1.0)
    a, b = np.zeros(2), np.zeros(2)
    opt.step([("a", a, np.array([30.0, 40.0])), ("b", b, np.array([0.3, 0.4]))])
    np.testing.assert_allclose(a, [-0.6, -0.8], rtol=1e-15)  # norm 50 -> 1
    np.testing.assert_allclose(b, [-0.3, -0.4], rtol=1e-15)  # norm 0.5: untouched


@pytest.mark.parametrize("value", [0.0, -1.0])
def test_clipnorm_must_be_positive(value):
    with pytest.raises(ValueError, match="clipnorm"):
        SGD(0.1, clipnorm=value)


# -------------------------------------------------------------------- schedules
SCHEDULES = [
    pytest.param(lambda: ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5), id="exp"),
    pytest.param(lambda: StepDecay(0.1, step_size=2, gamma=0.3), id="step"),
    pytest.param(lambda: CosineDecay(0.1, decay_steps=3, alpha=0.1), id="cosine"),
]


@pytest.mark.parametrize("make_schedule", SCHEDULES)
@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_schedule_as_learning_rate_of_any_optimizer(make, make_schedule):
    """With a schedule, step t uses schedule(t), t = 0, 1, 2, ... counting updates."""
    schedule = make_schedule()
    scheduled = make(clipnorm=None)
    scheduled.learning_rate = schedule  # same as passing learning_rate=schedule
    manual = make(clipnorm=None)
    p_sched, p_manual = P0.copy(), P0.copy()
    for t, g in enumerate(GRADS):
        assert scheduled.current_learning_rate() == schedule(t)
        manual.learning_rate = schedule(t)
        scheduled.step([("w", p_sched, g)])
        manual.step([("w", p_manual, g)])
        np.testing.assert_allclose(p_sched, p_manual, rtol=1e-14, atol=1e-16)
    assert scheduled.iterations == 3


def test_schedule_passed_to_the_constructor():
    schedule = ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    for cls in (SGD, Adam, AdamW, RMSprop, Adagrad):
        assert cls(learning_rate=schedule).learning_rate is schedule
    # SGD: p_t = p_{t-1} - schedule(t - 1) g_t
    opt = SGD(learning_rate=schedule)
    p = np.zeros(1)
    for _ in range(3):
        opt.step([("w", p, np.ones(1))])
    assert p[0] == pytest.approx(-(0.1 + 0.05 + 0.025), rel=1e-15)


# ------------------------------------------------------------------------ state
def test_state_is_kept_per_parameter_name():
    opt = Adam(0.1)
    a, b = np.ones(3), np.ones(2)
    opt.step([("dense/weights", a, np.full(3, 0.5)), ("dense/bias", b, np.full(2, -1.0))])
    assert set(opt.state) == {"dense/weights", "dense/bias"}
    assert set(opt.state["dense/weights"]) == {"m", "v"}
    np.testing.assert_allclose(opt.state["dense/weights"]["m"], 0.1 * 0.5)
    np.testing.assert_allclose(opt.state["dense/bias"]["m"], 0.1 * -1.0)
    assert opt.state["dense/weights"]["m"].shape == (3,)
    assert opt.state["dense/bias"]["v"].shape == (2,)
    # a parameter under its own name evolves exactly as if it were alone
    alone = Adam(0.1)
    a2 = np.ones(3)
    alone.step([("x", a2, np.full(3, 0.5))])
    np.testing.assert_array_equal(a, a2)


def test_momentum_state_does_not_leak_between_names():
    opt = SGD(1.0, momentum=0.5)
    a, b = np.zeros(1), np.zeros(1)
    opt.step([("a", a, np.ones(1))])
    opt.step([("b", b, np.ones(1))])  # b's first step: no velocity from a
    assert b[0] == -1.0
    opt.step([("a", a, np.ones(1))])  # a's second: v = 0.5 * 1 + 1
    assert a[0] == -1.0 - 1.5


def test_reset_forgets_state_and_step_count():
    opt = Adam(0.1)
    opt.step([("w", np.ones(2), np.ones(2))])
    opt.reset()
    assert opt.iterations == 0 and opt.state == {}


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
@pytest.mark.parametrize("clipnorm", [None, 0.1])
def test_float32_parameters_keep_float32_state(make, clipnorm):
    opt = make(clipnorm=clipnorm)
    opt.learning_rate = ExponentialDecay(0.1, decay_steps=1, decay_rate=0.9)
    param = P0.astype(np.float32)
    for g in GRADS:
        opt.step([("w", param, g.astype(np.float32))])
    assert param.dtype == np.float32
    for slot, array in opt.state.get("w", {}).items():
        assert array.dtype == np.float32, slot
    assert np.all(np.isfinite(param))


def test_optimizers_update_in_place():
    for cls in (SGD, Adam, AdamW, RMSprop, Adagrad):
        param = P0.copy()
        before = id(param)
        cls().step([("w", param, GRADS[0])])
        assert id(param) == before and not np.array_equal(param, P0)


@pytest.mark.parametrize("name, cls", [("sgd", SGD), ("adam", Adam), ("adamw", AdamW),
                                       ("rmsprop", RMSprop), ("adagrad", Adagrad)])
def test_get_by_name(name, cls):
    assert type(optimizers_module.get(name)) is cls
    assert type(optimizers_module.get(name.upper())) is cls


def test_get_rejects_unknown_names_and_types():
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers_module.get("adamax")
    with pytest.raises(TypeError, match="optimizer"):
        optimizers_module.get(3)


def test_bad_hyper_parameters():
    with pytest.raises(ValueError, match="learning_rate"):
        Adam(-1.0)
    with pytest.raises(ValueError, match="nesterov"):
        SGD(0.1, nesterov=True)
    with pytest.raises(ValueError, match="momentum"):
        SGD(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="rho"):
        RMSprop(rho=1.5)


# ---------------------------------------------------------------------- PyTorch
def _torch_pairs():
    return [
        ("SGD", SGD(0.1), {"lr": 0.1}),
        ("SGD", SGD(0.1, momentum=0.9), {"lr": 0.1, "momentum": 0.9}),
        ("SGD", SGD(0.05, momentum=0.8, nesterov=True),
         {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
        ("Adam", Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
         {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
        ("AdamW", AdamW(0.01, weight_decay=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8),
         {"lr": 0.01, "weight_decay": 0.1, "betas": (0.9, 0.999), "eps": 1e-8}),
        ("RMSprop", RMSprop(0.01, rho=0.8, epsilon=1e-7),
         {"lr": 0.01, "alpha": 0.8, "eps": 1e-7}),
        ("Adagrad", Adagrad(0.1, initial_accumulator_value=0.2, epsilon=1e-10),
         {"lr": 0.1, "initial_accumulator_value": 0.2, "eps": 1e-10}),
    ]


@pytest.mark.parametrize("index", range(len(_torch_pairs())),
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(_torch_pairs())])
def test_matches_torch_optim(index):
    torch = pytest.importorskip("torch")
    torch_name, ours, kwargs = _torch_pairs()[index]
    rng = np.random.default_rng(index)
    w0, b0 = rng.normal(size=(4, 3)), rng.normal(size=3)
    grads = [(rng.normal(size=(4, 3)), rng.normal(size=3)) for _ in range(6)]

    tw = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.optim, torch_name)([tw, tb], **kwargs)
    w, b = w0.copy(), b0.copy()
    for step, (gw, gb) in enumerate(grads, start=1):
        tw.grad = torch.tensor(gw, dtype=torch.float64)
        tb.grad = torch.tensor(gb, dtype=torch.float64)
        theirs.step()
        ours.step([("dense/weights", w, gw), ("dense/bias", b, gb)])
        np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-12, atol=1e-12,
                                   err_msg=f"weights, step {step}")
        np.testing.assert_allclose(b, tb.detach().numpy(), rtol=1e-12, atol=1e-12,
                                   err_msg=f"bias, step {step}")


@pytest.mark.parametrize("torch_name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_clipnorm_matches_torch_clip_grad_norm(torch_name):
    """Clipping one parameter's gradient equals torch's clip_grad_norm_ on that parameter.

    torch divides by ``norm + 1e-6``, so the two agree to about 1e-7 relative, not 1e-12.
    """
    torch = pytest.importorskip("torch")
    ours = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop,
            "Adagrad": Adagrad}[torch_name](0.05, clipnorm=0.5)
    kwargs = {"lr": 0.05}
    if torch_name == "RMSprop":
        kwargs.update(alpha=0.9, eps=ours.epsilon)
    if torch_name == "Adagrad":
        kwargs.update(eps=ours.epsilon)
    rng = np.random.default_rng(7)
    w0 = rng.normal(size=5)
    tw = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.optim, torch_name)([tw], **kwargs)
    w = w0.copy()
    for _ in range(4):
        g = rng.normal(size=5) * 3
        tw.grad = torch.tensor(g, dtype=torch.float64)
        torch.nn.utils.clip_grad_norm_([tw], max_norm=0.5)
        theirs.step()
        ours.step([("w", w, g)])
        np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-6, atol=1e-9)


def test_adam_bias_correction_first_step_is_lr_sized():
    # after one step, m_hat / sqrt(v_hat) = g / |g|: every coordinate moves by ~lr
    opt = Adam(0.01)
    p = np.zeros(3)
    opt.step([("w", p, np.array([1e-3, -5.0, 200.0]))])
    np.testing.assert_allclose(np.abs(p), 0.01, rtol=1e-4)
    assert math.copysign(1, p[1]) == 1.0


# ------------------------------------------------------- an optimizer of your own
class MyMomentum(optimizers_module.Optimizer):
    """What a user writes: the rule, and the names of the state it keeps."""

    slots = ("velocity",)

    def update(self, p, g, state, lr):
        state["velocity"] = 0.5 * state["velocity"] + g
        return p - lr * state["velocity"]


def test_an_optimizer_needs_only_its_update_rule():
    assert_trajectory(run_steps(MyMomentum(0.1)), run_steps(SGD(0.1, momentum=0.5)))
    mine = MyMomentum(0.1, clipnorm=0.1)  # clipping and schedules come with the base class
    assert_trajectory(run_steps(mine), run_steps(SGD(0.1, momentum=0.5, clipnorm=0.1)))
    assert set(mine.state["w"]) == {"velocity"} and mine.iterations == 3
    with pytest.raises(NotImplementedError, match="Optimizer must implement update"):
        optimizers_module.Optimizer(0.1).step([("w", P0.copy(), GRADS[0])])
