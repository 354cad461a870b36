"use strict";
/*
 * Drawing on <canvas>: the model's output over the plane with the data points,
 * the loss curves, and the network with a small picture in every neuron.
 *
 * Pictures come from the server as base64 bytes, one per grid point, row 0 at
 * the top: 0 is orange (class 0, negative), 128 white (zero), 255 blue
 * (class 1, positive).
 */
const Draw = (() => {
  const NEG = [245, 147, 34];
  const POS = [8, 119, 189];
  const WHITE = [255, 255, 255];

  /** The colour of t in [-1, 1]: orange through white to blue. */
  function colour(t) {
    const a = Math.min(1, Math.abs(t));
    const end = t < 0 ? NEG : POS;
    return WHITE.map((w, i) => Math.round(w + a * (end[i] - w)));
  }

  const css = (rgb, alpha = 1) => `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})`;

  /** Base64 text to bytes. */
  function bytes(text) {
    const raw = atob(text);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  /** A size x size picture (bytes) on its own small canvas, ready for drawImage. */
  function picture(values, size) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const context = canvas.getContext("2d");
    const image = context.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const rgb = colour(values[i] / 127.5 - 1);
      image.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
    }
    context.putImageData(image, 0, 0);
    return canvas;
  }

  /** The pictures of the inputs x1 and x2: each is its own coordinate. */
  function inputPictures(size) {
    const x1 = new Uint8Array(size * size);
    const x2 = new Uint8Array(size * size);
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) {
        x1[row * size + col] = Math.round(255 * col / (size - 1));
        x2[row * size + col] = Math.round(255 * (1 - row / (size - 1)));
      }
    }
    return [picture(x1, size), picture(x2, size)];
  }

  /** The model's output over the plane, with the training (and test) points. */
  function boundary(canvas, state, points, showTest) {
    const context = canvas.getContext("2d");
    const { width, height } = canvas;
    context.imageSmoothingEnabled = true;
    context.drawImage(picture(bytes(state.output), state.grid), 0, 0, width, height);
    if (!points) return;
    const extent = state.extent;
    const scale = state.task === "regression" ? state.target_scale : 0.5;
    const shift = state.task === "regression" ? 0 : 0.5;
    const draw = (rows, stroke) => {
      for (const [x1, x2, y] of rows) {
        const px = (x1 + extent) / (2 * extent) * width;
        const py = (extent - x2) / (2 * extent) * height;
        context.beginPath();
        context.arc(px, py, 3.2, 0, 2 * Math.PI);
        context.fillStyle = css(colour((y - shift) / scale));
        context.fill();
        context.lineWidth = 1;
        context.strokeStyle = stroke;
        context.stroke();
      }
    };
    draw(points.train, "#fff");
    if (showTest) draw(points.test, "#000");
  }

  /** Training (grey) and test (black) loss against the epoch. */
  function lossCurves(canvas, train, test) {
    const context = canvas.getContext("2d");
    const { width, height } = canvas;
    context.clearRect(0, 0, width, height);
    const values = train.concat(test).filter((v) => v !== null && isFinite(v));
    if (values.length === 0) return;
    const top = Math.max(...values) * 1.05 || 1;
    const n = Math.max(train.length, 2);
    const line = (series, style, lineWidth) => {
      context.beginPath();
      series.forEach((v, i) => {
        if (v === null) return;
        const x = (i / (n - 1)) * (width - 4) + 2;
        const y = height - 2 - (v / top) * (height - 14);
        if (i === 0) context.moveTo(x, y); else context.lineTo(x, y);
      });
      context.strokeStyle = style;
      context.lineWidth = lineWidth;
      context.stroke();
    };
    line(train, "#999", 1.5);
    line(test, "#111", 2);
    context.fillStyle = "#666";
    context.font = "11px sans-serif";
    context.fillText(`max ${top.toFixed(3)}   test: black, training: grey`, 4, 11);
  }

  /** The x position of column `i` of `count` (inputs, hidden layers, output). */
  function columnX(i, count, width) {
    const margin = 40;
    return margin + (count === 1 ? 0 : i * (width - 2 * margin) / (count - 1));
  }

  /**
   * The network: a column of neurons per layer, each drawn as its picture;
   * lines for the weights, blue if positive, orange if negative, wider if larger.
   */
  function network(canvas, state, inputs) {
    const context = canvas.getContext("2d");
    const { width, height } = canvas;
    context.clearRect(0, 0, width, height);
    const sizes = [2, ...state.settings.hidden, 1];
    const shown = [2, ...state.neurons.map((layer) => layer.length), 1];
    const most = Math.max(...shown);
    const box = Math.min(34, (height - 30) / most - 4);
    const positions = shown.map((count, column) => {
      const x = columnX(column, shown.length, width);
      const gap = Math.min(box + 10, (height - 30) / count);
      const top = (height - 10 - gap * (count - 1)) / 2;
      return Array.from({ length: count }, (_, j) => [x, top + j * gap]);
    });
    let biggest = 1e-9;
    for (const matrix of state.weights) {
      for (const row of matrix) for (const w of row) biggest = Math.max(biggest, Math.abs(w));
    }
    state.weights.forEach((matrix, layer) => {
      matrix.forEach((row, i) => row.forEach((w, j) => {
        const [x0, y0] = positions[layer][i];
        const [x1, y1] = positions[layer + 1][j];
        context.beginPath();
        context.moveTo(x0 + box / 2, y0);
        context.lineTo(x1 - box / 2, y1);
        context.strokeStyle = css(w < 0 ? NEG : POS, 0.75);
        context.lineWidth = 0.4 + 5 * Math.abs(w) / biggest;
        context.stroke();
      }));
    });
    context.imageSmoothingEnabled = false;
    const pictures = [inputs, ...state.neurons.map((layer) =>
      layer.map((text) => picture(bytes(text), state.neuron_grid))),
    [picture(bytes(state.output), state.grid)]];
    positions.forEach((column, c) => column.forEach(([x, y], j) => {
      context.drawImage(pictures[c][j], x - box / 2, y - box / 2, box, box);
      context.strokeStyle = "#888";
      context.lineWidth = 1;
      context.strokeRect(x - box / 2, y - box / 2, box, box);
    }));
    context.fillStyle = "#444";
    context.font = "11px sans-serif";
    context.textAlign = "center";
    positions.forEach((column, c) => {
      const x = column[0][0];
      const label = c === 0 ? "x1, x2" : c === shown.length - 1 ? "output"
        : `${sizes[c]} neuron${sizes[c] === 1 ? "" : "s"}`;
      context.fillText(label, x, height - 4);
      if (sizes[c] > shown[c]) context.fillText(`+${sizes[c] - shown[c]} more`, x, height - 16);
    });
  }

  return { boundary, columnX, inputPictures, lossCurves, network };
})();
