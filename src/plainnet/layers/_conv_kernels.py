"""Fast kernels for ``Conv2D`` (+ ``ReLU``) (+ ``MaxPool2D(2)``), used by ``fit``: same numbers.

:mod:`plainnet.layers.conv` shows the idea: cut the input into patches, one
row per output pixel, and multiply by the kernel (im2col). This module does
the same sums in a layout that NumPy runs several times faster on the small
images of a LeNet-style network; ``tests/layers/test_layers_conv_kernels.py``
checks that both give the same numbers (to float rounding).

The tricks, each measured on LeNet-5 (see ``benchmarks/RESULTS.md``):

**Banded products.** Take a *block* of ``J`` neighbouring output pixels of
one output row. They read ``kh`` input rows and ``span = (J - 1) * sw + kw``
input columns: one row of the matrix ``R``. The kernel, shifted by ``sw``
columns for each of the ``J`` outputs, is one *banded* matrix ``B`` (mostly
zeros), the same for every block, and the layer is one product::

    R  (rows, kh * span * cin)       one row per (output row, block of J columns)
    B  (kh * span * cin, J * filters) B[(p, j*sw + q, c), (j, f)] = kernel[p, q, c, f]
    Y = R @ B                         (rows, J * filters): the outputs, channels last

``J = 1`` is im2col; larger ``J`` gives fewer, longer rows whose copy is
fast (each row of ``R`` copies ``kh`` runs of ``span * cin`` contiguous
numbers), at the price of multiplying by the zeros of ``B``.

**Pooling first, in halves.** With ``MaxPool2D(2)`` after the convolution,
the rows of ``R`` are ordered (row parity, sample, row // 2, block) and the
columns of ``B`` (column parity, column // 2, filter). The four elements of
every 2 x 2 window then sit in four regular slices of ``Y`` (top or bottom
half of its rows, left or right half of each block's columns), and the
pooling is two ``np.maximum`` over those slices. Pooling comes before the
bias and the ReLU: ``max(y) + b = max(y + b)`` and ``relu(max(y)) =
max(relu(y))``, so the result is the same with 4 times fewer elements.

**First maximum, pairwise.** ``MaxPool2D`` gives a window's gradient to its
first maximum in row-major order. Comparing the two columns of each row
(``>=``: left wins ties), then the two rows (``>=``: top wins ties) picks
exactly that element. The masks are floats (1.0 / 0.0), so the backward
pass is plain multiplications. (One difference, at the level of rounding:
the plain layers compare ``y + b``; two values that differ before adding
``b`` can round to the same sum, and then the plain layer gives the
gradient to the first of them and this kernel to the larger one.)

**The input gradient in whole rows.** ``dL/dR = dL/dY @ B.T`` would give
every entry of ``R``'s overlapping blocks its gradient, to be added back to
the pixels it was copied from, a run of ``span * cin`` numbers at a time.
Instead, a row of ``dL/dY`` holding a whole output row (all its blocks)
multiplies one *full-width* band ``W`` whose columns are the ``kh`` whole
(padded) input rows under it::

    W[(j, f), (p, j * sw + q, c)] = kernel[p, q, c, f]     j: output column
    dL/dx rows = dL/dY rows @ W    (P * batch * rows, kh * padded_w * cin)

and each of the ``P * kh`` slices of the result is added to every
``P * sh``-th input row in one operation. ``W`` is filled through strided
views of it (one per column parity). A layer whose ``W`` would exceed
:attr:`ConvBlock.full_width_limit` elements adds the blocks up instead.

**Buffers.** ``R``, ``B``, ``Y`` and the masks are allocated once per batch
shape and overwritten at every step (``out=``); what leaves the kernel (the
output, ``dL/dx``) is a new array, as the layers' own methods return. A batch
larger than :attr:`ConvBlock.piece` samples goes through in pieces, each with
its own buffers, which bounds the size of each product and element-wise pass.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .activation import ReLU
from .base import Layer
from .conv import Conv2D, output_length, padding_widths
from .pooling import MaxPool2D

__all__ = ["ConvBlock", "conv_block_applies", "own_methods"]


def own_methods(layer: Layer, cls: type) -> bool:
    """Whether ``layer`` is exactly a ``cls`` whose forward/backward were not replaced."""
    return (type(layer) is cls and "forward" not in layer.__dict__
            and "backward" not in layer.__dict__)


def conv_block_applies(conv: Layer, relu: Layer | None = None,
                       pool: Layer | None = None) -> bool:
    """Whether :class:`ConvBlock` computes ``conv`` (then ``relu``, then ``pool``).

    ``conv`` must be plainnet's own ``Conv2D`` without an activation inside
    it, ``relu`` (if given) its own ``ReLU``, ``pool`` (if given) its own
    ``MaxPool2D`` with 2 x 2 windows, strides 2 and ``padding="valid"``.
    """
    return (own_methods(conv, Conv2D) and conv.activation_layer is None
            and (relu is None or own_methods(relu, ReLU))
            and (pool is None or (own_methods(pool, MaxPool2D) and pool.pool_size == (2, 2)
                                  and pool.strides == (2, 2) and pool.padding == "valid")))


def block_width(columns: int, step: int, kw: int, sw: int, cin: int) -> int:
    """``J``, the output columns per row of ``R``: a multiple of ``step`` dividing ``columns``.

    The smallest one whose input run ``span * cin`` is at least 16 numbers
    (short runs make slow copies), or the whole row.
    """
    for width in range(step, columns + 1, step):
        if columns % width == 0 and ((width - 1) * sw + kw) * cin >= 16:
            return width
    return columns


class ConvBlock:
    """``Conv2D`` (+ ``ReLU``) (+ ``MaxPool2D(2)``) as one forward and one backward.

    Parameters
    ----------
    conv : Conv2D
        Built; its ``kernel``/``bias`` are read at every step (they may be new
        views) and its ``grad_kernel``/``grad_bias`` written in place.
    relu : ReLU or None
        The ReLU layer right after ``conv``, if any.
    pool : MaxPool2D or None
        The 2 x 2 max-pooling right after (the ReLU), if any.
    block : int or None
        ``J`` (see the module's docstring); None picks one with :func:`block_width`.
    """

    #: samples per pass through the buffers (larger batches go in pieces). Measured on
    #: LeNet-5 at batch 256 on a busy 2-core machine: pieces of 32 or 64 samples were
    #: 2-4x slower than one pass (each BLAS call waits for its threads; fewer is better).
    piece = 256

    #: largest full-width band ``W`` (elements) for ``dL/dx`` as one product (see
    #: :meth:`backward_pass`); larger layers add up the band's overlapping blocks instead
    full_width_limit = 2 ** 18

    def __init__(self, conv: Conv2D, relu: ReLU | None = None, pool: MaxPool2D | None = None,
                 block: int | None = None) -> None:
        self.conv, self.relu, self.pool = conv, relu is not None, pool is not None
        self.block = block
        self.layers = [layer for layer in (conv, relu, pool) if layer is not None]
        self.cache: dict[tuple, SimpleNamespace] = {}

    # ------------------------------------------------------------------ buffers
    def buffers(self, x: np.ndarray, start: int = 0) -> SimpleNamespace:
        """The geometry and the arrays for the piece ``x`` of a batch, from sample ``start``.

        Made once per piece and shape, then reused at every step.
        """
        key = (start, x.shape, x.dtype)
        if key in self.cache:
            return self.cache[key]
        if len(self.cache) > 16:  # e.g. a last partial batch: keep a few shapes only
            self.cache.clear()
        conv = self.conv
        batch, height, width, cin = x.shape
        (kh, kw), (sh, sw), filters = conv.kernel_size, conv.strides, conv.filters
        pads = [padding_widths(n, k, s, conv.padding)
                for n, k, s in ((height, kh, sh), (width, kw, sw))]
        out_h, out_w = (output_length(n, k, s, conv.padding)
                        for n, k, s in ((height, kh, sh), (width, kw, sw)))
        step = 2 if self.pool else 1  # P: outputs per pooling window along each axis
        rows, cols = out_h // step, out_w // step  # (pooled) output size
        J = self.block or block_width(cols * step, step, kw, sw, cin)
        if J % step or (cols * step) % J:
            raise ValueError(f"block must be a multiple of {step} dividing {cols * step}, "
                             f"got {J}")
        nb, span = cols * step // J, (J - 1) * sw + kw
        k, n = kh * span * cin, J * filters
        s = SimpleNamespace(batch=batch, height=height, width=width, cin=cin, pads=pads,
                            P=step, rows=rows, cols=cols, J=J, nb=nb, span=span,
                            kh=kh, kw=kw, sh=sh, sw=sw, filters=filters)
        dtype = x.dtype
        padded_h, padded_w = height + sum(pads[0]), width + sum(pads[1])
        s.padded = np.zeros((batch, padded_h, padded_w * cin), dtype)  # borders stay 0
        m = step * batch * rows * nb
        s.R = np.empty((m, k), dtype)  # (P, batch, rows, nb, kh, span * cin)
        s.B = np.zeros((kh, span, cin, step, J // step, filters), dtype)
        s.Y = np.empty((m, n), dtype)  # (P, batch, rows, nb, P, J // P, filters)
        s.G = np.empty((m, n), dtype)  # dL/dY, same layout
        s.grad_B = np.empty((k, n), dtype)
        pooled = (batch, rows, nb, J // step, filters)  # = (batch, rows, cols, filters)
        if self.pool:
            s.col_max = np.empty((2, *pooled), dtype)  # max of each row's 2 columns
            s.col_mask = np.empty((2, *pooled), dtype)  # 1.0 where the left one won
            s.row_mask = np.empty(pooled, dtype)  # 1.0 where the top row won
            s.half = np.empty((2, *pooled), dtype)  # backward: dL/d(row maximum)
        s.relu_mask = np.empty(pooled, dtype)
        s.grad_z = np.empty(pooled, dtype)
        s.grad_bias = np.empty(filters, dtype)
        s.index = self.band_index(s)
        s.copies = np.empty(s.index.shape, dtype)  # backward: every copy's gradient
        s.padded_w, s.W = padded_w, None  # W: made by the first backward pass that needs it
        s.full_width = nb * n * kh * padded_w * cin <= self.full_width_limit
        # views, made once: where x goes, what R copies, and the blocks of R, Y, G, B
        s.interior = s.padded.reshape(batch, padded_h, padded_w, cin)[
            :, pads[0][0]:pads[0][0] + height, pads[1][0]:pads[1][0] + width]
        s.windows = self.patch_rows(s, s.padded)
        s.R_blocks = s.R.reshape(step, batch, rows, nb, kh, span * cin)
        s.Y_parts = s.Y.reshape(step, batch, rows, nb, step, J // step, filters)
        s.G_parts = s.G.reshape(s.Y_parts.shape)
        s.B_matrix, s.B_flat = s.B.reshape(k, n), s.B.reshape(-1)
        self.cache[key] = s
        return s

    def patch_rows(self, s: SimpleNamespace, image: np.ndarray) -> np.ndarray:
        """The strided view of ``image`` (batch, H, W * cin) whose copy is ``R``.

        Element ``[a, b, i, t, p, :]`` is input row ``(P * i + a) * sh + p``,
        columns ``t * J * sw * cin`` onwards (``span * cin`` numbers).
        """
        item = image.itemsize
        row, sample = image.strides[1], image.strides[0]
        return as_strided(
            image,
            shape=(s.P, s.batch, s.rows, s.nb, s.kh, s.span * s.cin),
            strides=(s.sh * row, sample, s.P * s.sh * row, s.J * s.sw * s.cin * item, row, item),
            writeable=False)

    def full_width_views(self, s: SimpleNamespace, padded_w: int) -> list[np.ndarray]:
        """Where the kernel sits in ``W``: ``view[...] = kernel`` for each view (one per ``a``).

        A row of ``G`` (one output row, every block) holds output column
        ``j = t * J + P * j2 + a`` at position ``(t, a, j2)``; ``kernel[p, q, c, f]``
        links it to input row ``p`` (of the ``kh`` under it), column ``j * sw + q``::

            W[(t, a, j2, f), (p, j * sw + q, c)] = kernel[p, q, c, f]

        For each ``a``, a strided view of ``W`` with axes ``(t, j2, p, q, c, f)``.
        """
        m, width = s.J // s.P, s.W.shape[1]  # outputs of one parity per block; columns of W
        row, item = width * s.filters, s.W.itemsize  # W's rows of one output column
        strides = (s.J * row + s.J * s.sw * s.cin, row + s.P * s.sw * s.cin,
                   padded_w * s.cin, s.cin, 1, width)
        return [as_strided(s.W_flat[a * m * row + a * s.sw * s.cin:],
                           shape=(s.nb, m, s.kh, s.kw, s.cin, s.filters),
                           strides=tuple(item * st for st in strides))
                for a in range(s.P)]

    def band_index(self, s: SimpleNamespace) -> np.ndarray:
        """Where the kernel sits in ``B``: ``B.flat[index[j]] = kernel.flat`` for each ``j``.

        Output column ``j = P * j2 + a`` of a block reads input column
        ``j * sw + q``, so ``kernel[p, q, c, f]`` goes to ``B[p, j * sw + q, c, a, j2, f]``.
        Found once, through strided views of the positions ``0 .. B.size - 1``.
        """
        positions = np.arange(s.B.size).reshape(s.B.shape)  # (kh, span, cin, P, J // P, f)
        st = positions.strides
        index = np.empty((s.P, s.J // s.P, s.kh, s.kw, s.cin, s.filters), dtype=np.intp)
        for q in range(s.kw):
            for a in range(s.P):
                start = positions[:, a * s.sw + q, :, a]  # (kh, cin, J // P, f) from j2 = 0
                # j2 -> j2 + 1 moves P * sw input columns and one output column
                view = as_strided(start, shape=(s.J // s.P, s.kh, s.cin, s.filters),
                                  strides=(s.P * s.sw * st[1] + st[4], st[0], st[2], st[5]))
                index[a, :, :, q] = view
        return index.reshape(s.J, -1)  # (J, kh * kw * cin * f)

    # ------------------------------------------------------------------ forward
    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """``pool(relu(conv(x)))``: ``(batch, H, W, cin) -> (batch, rows, cols, filters)``.

        A batch larger than :attr:`piece` samples goes through in pieces.
        """
        self.passes = [(start, self.buffers(x[start:start + self.piece], start))
                       for start in range(0, len(x), self.piece)]
        s = self.passes[0][1]
        out = np.empty((len(x), s.rows, s.cols, s.filters), x.dtype)  # a new array each step
        for start, s in self.passes:
            self.forward_pass(s, x[start:start + s.batch], out[start:start + s.batch])
        self.output = out
        return out

    def forward_pass(self, s: SimpleNamespace, x: np.ndarray, out: np.ndarray) -> None:
        """One piece of the batch: ``x`` (batch, H, W, cin) -> ``out`` (batch, rows, cols, f)."""
        conv = self.conv
        s.interior[...] = x  # the padded input: its borders are zeros already
        np.copyto(s.R_blocks, s.windows)  # (P, batch, rows, nb, kh, span * cin)
        s.B_flat[s.index] = conv.kernel.reshape(-1)  # J copies of the kernel
        np.matmul(s.R, s.B_matrix, out=s.Y)
        y = s.Y_parts  # (P, batch, rows, nb, P, J // P, filters)
        pooled = out.reshape(s.grad_z.shape)  # (batch, rows, nb, J // P, f)
        if self.pool:
            # each row of each window (a = 0: top, 1: bottom): the larger of its 2 columns
            left_, right_ = y[:, :, :, :, 0], y[:, :, :, :, 1]  # (P, batch, rows, nb, J // P, f)
            np.maximum(left_, right_, out=s.col_max)
            np.greater_equal(left_, right_, out=s.col_mask)  # ties: the left one
            np.maximum(s.col_max[0], s.col_max[1], out=pooled)
            np.greater_equal(s.col_max[0], s.col_max[1], out=s.row_mask)  # ties: the top one
        else:
            np.copyto(pooled, y[0, :, :, :, 0])
        flat = out.reshape(s.batch * s.rows, -1)  # (batch * rows, cols * filters)
        flat += np.tile(conv.bias, s.cols)  # a whole row of biases: no inner axis of `filters`
        if self.relu:
            np.maximum(flat, 0, out=flat)

    # ----------------------------------------------------------------- backward
    def backward(self, grad_output: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Set ``conv.grad_kernel``/``grad_bias`` in place; return ``dL/dx``.

        With ``input_grad=False`` (the model's first layer, whose input is the
        data) ``dL/dx`` is not computed and None is returned.
        """
        conv, first = self.conv, self.passes[0][1]
        grad_padded = None
        if input_grad:  # (batch, padded_h, padded_w * cin)
            grad_padded = np.zeros((len(grad_output), *first.padded.shape[1:]), first.R.dtype)
        for start, s in self.passes:
            stop = start + s.batch
            self.backward_pass(s, grad_output[start:stop], self.output[start:stop],
                               None if grad_padded is None else grad_padded[start:stop])
            if s is not first:  # the pieces' gradients add up
                first.grad_B += s.grad_B
                conv.grad_bias += s.grad_bias
            else:
                conv.grad_bias[...] = s.grad_bias
        # each kernel entry collects the gradients of its J copies in B
        np.take(first.grad_B.reshape(-1), first.index, out=first.copies)
        np.sum(first.copies, axis=0, out=conv.grad_kernel.reshape(-1))
        if grad_padded is None:
            return None
        (top, _), (left, _) = first.pads
        grad = grad_padded.reshape(*grad_padded.shape[:2], -1, first.cin)
        return grad[:, top:top + first.height, left:left + first.width]

    def backward_pass(self, s: SimpleNamespace, grad_output: np.ndarray, output: np.ndarray,
                      grad_padded: np.ndarray | None) -> None:
        """One piece: ``s.grad_B``, ``s.grad_bias``, and ``dL/dx`` added into ``grad_padded``."""
        g = grad_output.reshape(s.grad_z.shape)  # (batch, rows, nb, J // P, f)
        if self.relu:  # dL/dz where z = pooled + bias > 0
            np.greater(output.reshape(s.grad_z.shape), 0, out=s.relu_mask)
            g = np.multiply(g, s.relu_mask, out=s.grad_z)
        # dL/dbias: the sum over every output pixel; whole rows first (no inner axis of f)
        per_column = g.reshape(s.batch * s.rows, -1).sum(axis=0)  # (cols * filters,)
        per_column.reshape(s.cols, s.filters).sum(axis=0, out=s.grad_bias)
        y_grad = s.G_parts  # (P, batch, rows, nb, P, J // P, filters)
        if self.pool:  # the window's gradient goes to its first maximum
            np.multiply(g, s.row_mask, out=s.half[0])  # top row won
            np.subtract(g, s.half[0], out=s.half[1])  # bottom row won
            left_, right_ = y_grad[:, :, :, :, 0], y_grad[:, :, :, :, 1]
            np.multiply(s.half, s.col_mask, out=left_)  # left column won
            np.subtract(s.half, left_, out=right_)  # right column won
        else:
            np.copyto(y_grad[0, :, :, :, 0], g)
        np.matmul(s.R.T, s.G, out=s.grad_B)  # dL/dB = R.T @ dL/dY
        if grad_padded is None:
            return
        if s.full_width:  # whole rows: dL/dY of one output row -> its kh input rows
            if s.W is None:
                columns = s.kh * s.padded_w * s.cin
                s.W = np.zeros((s.nb * s.J * s.filters, columns), s.G.dtype)
                s.W_flat = s.W.reshape(-1)
                s.W_views = self.full_width_views(s, s.padded_w)
                s.grad_rows = np.empty((s.P * s.batch * s.rows, columns), s.G.dtype)
            for view in s.W_views:
                view[...] = self.conv.kernel
            # (P * batch * rows, nb * J * f) @ (nb * J * f, kh * padded_w * cin)
            np.matmul(s.G.reshape(len(s.grad_rows), -1), s.W, out=s.grad_rows)
            grad_rows = s.grad_rows.reshape(s.P, s.batch, s.rows, s.kh, -1)
            for a in range(s.P):
                for p in range(s.kh):  # output row P * i + a -> input row (P * i + a) * sh + p
                    first, every = a * s.sh + p, s.P * s.sh
                    grad_padded[:, first:first + (s.rows - 1) * every + 1:every] += (
                        grad_rows[a, :, :, p])
            return
        # dL/dR = dL/dY @ B.T, and each entry of R goes back to the pixel it was copied from
        grad_rows = (s.G @ s.B_matrix.T).reshape(s.R_blocks.shape)
        step, run = s.J * s.sw * s.cin, s.span * s.cin  # between two blocks; one block's
        for a in range(s.P):
            for p in range(s.kh):
                # kernel row p of output row P * i + a is input row (P * i + a) * sh + p
                first, every = a * s.sh + p, s.P * s.sh
                target = grad_padded[:, first:first + (s.rows - 1) * every + 1:every]
                for t in range(s.nb):  # blocks overlap: one at a time
                    target[:, :, t * step:t * step + run] += grad_rows[a, :, :, t, p]
