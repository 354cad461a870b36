"""Teach a tiny neural network the XOR gate, one step at a time.

Run it with::

    python examples/xor_tutorial.py

This walks through the beginner tutorial that plainnet started from, using the
repaired version of its class, ``plainnet.NeuralNetwork`` (the code lives in
``src/plainnet/tutorial.py``; open it alongside).
Only NumPy and plainnet are needed.

Shapes are written in comments as ``(rows, columns)``.
"""

import numpy as np

from plainnet import NeuralNetwork
from plainnet.tutorial import sigmoid

np.set_printoptions(precision=4, suppress=True)

# ---------------------------------------------------------------------------
# 1. The problem: XOR
# ---------------------------------------------------------------------------
# XOR outputs 1 when its two inputs differ and 0 when they are equal. No single
# straight line separates the 1s from the 0s, so a network with no hidden layer
# cannot learn it; one hidden layer is enough.
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])  # (4, 2): four samples, two inputs each
y = np.array([0, 1, 1, 0])  # (4,): the target for each sample

print("Step 1: the XOR truth table")
for inputs, target in zip(X, y, strict=True):
    print(f"  {inputs} -> {target}")

# ---------------------------------------------------------------------------
# 2. The architecture: 2 inputs -> 4 hidden neurons -> 1 output
# ---------------------------------------------------------------------------
# Every hidden neuron takes a weighted sum of the two inputs plus a bias and
# squashes it with the sigmoid, 1 / (1 + exp(-z)), into the range (0, 1). The
# output neuron does the same with the four hidden values.
#
# The weights start as random numbers from the standard normal distribution.
# `seed` fixes those random numbers so that this script prints the same thing
# every time; use `seed=None` (the default) to start from fresh weights on
# every run.
SEED = 0
nn = NeuralNetwork(input_layer=2, hidden_layer=4, output_layer=1, seed=SEED)

print("\nStep 2: a 2-4-1 network")
print(f"  weights1 {nn.weights1.shape}  connects the 2 inputs to the 4 hidden neurons")
print(f"  bias1    {nn.bias1.shape}    one bias per hidden neuron")
print(f"  weights2 {nn.weights2.shape}  connects the 4 hidden neurons to the output")
print(f"  bias2    {nn.bias2.shape}    the output neuron's bias")

# ---------------------------------------------------------------------------
# 3. Forward propagation: from inputs to a prediction
# ---------------------------------------------------------------------------
# Here is the forward pass done by hand for one sample, x = [0, 1].
x = X[1]  # (2,)
z1 = x @ nn.weights1 + nn.bias1  # (2,) @ (2, 4) -> (4,): weighted sums of the hidden layer
hidden = sigmoid(z1)  # (4,): hidden activations, nn.layer1 in the class
z2 = hidden @ nn.weights2 + nn.bias2  # (4,) @ (4, 1) -> (1,): weighted sum of the output
output = sigmoid(z2)  # (1,): the prediction, nn.layer2 in the class

print("\nStep 3: forward propagation of [0, 1] with the random starting weights")
print(f"  hidden layer: {hidden}")
print(f"  output:       {output}   (the target is 1; untrained, this is a guess)")
assert np.allclose(output, nn.forward_propagation(x))  # the class does exactly this

# With all four samples at once, the same two lines work on a (4, 2) matrix:
# every row is one sample, and the output has one row per sample.
outputs = nn.forward_propagation(X)  # (4, 2) -> hidden (4, 4) -> output (4, 1)
print(f"  all four samples at once, shape {outputs.shape}: {outputs.ravel()}")

# ---------------------------------------------------------------------------
# 4. Backpropagation: which way should each weight move?
# ---------------------------------------------------------------------------
# Training minimises the mean squared error, loss = mean((y - output) ** 2).
# The chain rule tells us how the loss changes when each weight changes. The
# tutorial writes error = y - output, so its "gradients" point downhill (they
# are minus the slope of the loss) and the update *adds* them. With n = 4:
Y = y.reshape(-1, 1).astype(float)  # (4, 1): targets as a column, like the output
layer1 = nn.layer1  # (4, 4): hidden activations from the forward pass above
layer2 = nn.layer2  # (4, 1): outputs
error = Y - layer2  # (4, 1): how far each prediction is from its target

# How much the loss falls per unit increase of each output neuron's weighted
# sum: 2 * error / n from the square and the mean, times the sigmoid's slope
# there, which is output * (1 - output) = sigmoid(layer2, derivative=True).
delta2 = 2 * error * sigmoid(layer2, derivative=True) / error.size  # (4, 1)
# A weight's gradient is its input times the delta it feeds, summed over samples.
grad_weights2 = layer1.T @ delta2  # (4 hidden, 4 samples) @ (4, 1) -> (4, 1)
grad_bias2 = delta2.sum(axis=0)  # (1,): a bias's input is always 1
# Each hidden neuron's share of the blame: delta2 sent back through the weights
# it was multiplied by, times the slope of the hidden sigmoid.
delta1 = (delta2 @ nn.weights2.T) * sigmoid(layer1, derivative=True)  # (4, 1) @ (1, 4) -> (4, 4)
grad_weights1 = X.T @ delta1  # (2 inputs, 4 samples) @ (4, 4) -> (2, 4)
grad_bias1 = delta1.sum(axis=0)  # (4,)

grads = nn.backward_propagation(X, y)  # the class computes the same four arrays
assert np.allclose(grad_weights1, grads["weights1"]) and np.allclose(grad_bias1, grads["bias1"])
assert np.allclose(grad_weights2, grads["weights2"]) and np.allclose(grad_bias2, grads["bias2"])
print("\nStep 4: backpropagation")
print(f"  loss before training: {nn.loss(X, y):.4f}")
print(f"  grad_weights2 {grad_weights2.shape}: {grad_weights2.ravel()}")
print("  the hand-written gradients above match nn.backward_propagation(X, y)")
# One training step is then: weights += learning_rate * grad, for all four arrays.

# ---------------------------------------------------------------------------
# 5. Why the tutorial as printed does not learn XOR
# ---------------------------------------------------------------------------
# (a) Its sigmoid() has no `derivative` argument, yet train() calls
#     sigmoid(output, derivative=True): the program stops with a TypeError.
# (b) y has shape (4,) but the output has shape (4, 1). NumPy "broadcasts"
#     y - output into a (4, 4) table that compares every target with every
#     prediction, which is not the error of anything:
print("\nStep 5: what went wrong in the original")
print(
    f"  y.shape = {y.shape}, output.shape = {outputs.shape}, "
    f"(y - output).shape = {(y - outputs).shape}   <- should be (4, 1)"
)
#     NeuralNetwork.train reshapes y to (4, 1) first.
# (c) Even with (a) and (b) fixed, 1000 epochs at learning rate 0.1 on the
#     summed squared error is far too little. The outputs first drift towards
#     0.5 for every input and only later split the four cases apart, so when
#     training stops they are still far from 0 and 1. Measured over
#     10 000 random starts, it ends within 0.2 of all four targets in about 10% of
#     runs, and within 0.1 in none. Here is the same start trained that way (our
#     loss is the mean over 4 samples, so the tutorial's rate 0.1 becomes 0.4):
tutorial_nn = NeuralNetwork(seed=SEED)  # same seed, so the same starting weights as nn
tutorial_nn.train(X, y, epochs=1000, learning_rate=0.4)
print(f"  tutorial settings (1000 epochs, rate 0.1 on the sum): {tutorial_nn.predict(X).ravel()}")
# plainnet's defaults are 2000 epochs at rate 4.0 on the mean (the same as 1.0
# on the sum for these four samples). Over the same 10 000 starts they end within
# 0.1 of all four targets in 99.76% of runs; the rest sit in a local minimum
# with two outputs stuck at 0.5. Training takes a few hundredths of a second.

# ---------------------------------------------------------------------------
# 6. Training
# ---------------------------------------------------------------------------
# train() repeats forward propagation, backpropagation and the update for every
# epoch, and records the loss at the start of each one in nn.loss_history.
nn.train(X, y)  # epochs=2000, learning_rate=4.0

print("\nStep 6: training with the defaults")
for epoch in (0, 100, 250, 500, 1000, len(nn.loss_history) - 1):
    print(f"  epoch {epoch:4d}: loss {nn.loss_history[epoch]:.5f}")
print(f"  final loss: {nn.loss(X, y):.5f}")

# ---------------------------------------------------------------------------
# 7. The trained network's answers, as in the tutorial
# ---------------------------------------------------------------------------
# A single sample of shape (2,) gives an output of shape (1,).
print("\nStep 7: predictions")
all_close = True
for inputs, target in zip(X, y, strict=True):
    prediction = nn.forward_propagation(inputs)[0]
    all_close &= abs(prediction - target) < 0.1
    print(f"  prediction for [{inputs[0]}, {inputs[1]}]: {prediction:.4f}  (target {target})")

if not all_close:
    raise SystemExit("The network did not learn XOR this time; try another SEED.")
