"use strict";
/*
 * The page: controls that change the session's settings, Run/Pause/Step/Reset,
 * and a polling loop that draws each new state the server publishes.
 *
 * The server owns the truth (settings, epoch, losses, pictures); the page only
 * shows the last state it received and sends what the learner changes.
 */
(() => {
  const $ = (id) => document.getElementById(id);
  const INTEGER_SETTINGS = new Set(["n_points", "batch_size", "epochs", "seed"]);
  const MOST_LAYERS = 8;
  const MOST_NEURONS = 128;

  let state = null;           // the last state drawn
  let points = null;          // {train: [[x1, x2, y], ...], test: [...]}
  let dataVersion = -1;
  let curves = { train: [], test: [] };
  let timer = null;
  const inputs = Draw.inputPictures(20);

  function show(message) { $("message").textContent = message || ""; }

  /** Draw a state from the server, unless it is older than the one on the page. */
  function apply(next) {
    if (state && next.model_version < state.model_version) return;
    if (state && next.model_version === state.model_version && next.epoch < state.epoch) return;
    if (!state || next.model_version !== state.model_version) {
      curves = { train: [], test: [] };
      if (next.loss_from !== 0) { next.train_loss = []; next.test_loss = []; }
    }
    if (next.points) { points = next.points; dataVersion = next.data_version; }
    if (next.loss_from <= curves.train.length) {
      curves.train.splice(next.loss_from, Infinity, ...next.train_loss);
      curves.test.splice(next.loss_from, Infinity, ...next.test_loss);
    }
    state = next;
    render();
  }

  function render() {
    const s = state.settings;
    $("epoch").textContent = String(state.epoch).padStart(6, "0");
    $("run").innerHTML = state.running ? "&#x275A;&#x275A; Pause" : "&#x25B6; Run";
    const last = (series) => (series.length && series[series.length - 1] !== null
      ? series[series.length - 1].toFixed(3) : "\u2013");
    $("test-loss").textContent = last(curves.test);
    $("train-loss").textContent = last(curves.train);
    for (const button of document.querySelectorAll("[data-dataset]")) {
      button.classList.toggle("selected", button.dataset.dataset === s.dataset);
    }
    for (const control of document.querySelectorAll("[data-setting]")) {
      if (document.activeElement !== control || control.tagName === "SELECT") {
        control.value = String(s[control.dataset.setting]);
      }
      const label = $(`${control.id}-value`);
      if (label) label.textContent = control.value;
    }
    renderLayers(s.hidden);
    $("python").textContent = state.python;
    Draw.boundary($("boundary"), state, points, $("show-test").checked);
    Draw.lossCurves($("loss-curve"), curves.train, curves.test);
    Draw.network($("network"), state, inputs);
    if (state.error) show(state.error);
  }

  /** The "- N +" buttons above each hidden layer of the drawing. */
  function renderLayers(hidden) {
    $("layer-count").textContent =
      `${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"}`;
    const box = $("neuron-buttons");
    box.replaceChildren();
    const width = $("network").width;
    hidden.forEach((units, i) => {
      const cell = document.createElement("span");
      cell.className = "layer";
      cell.style.position = "absolute";
      cell.style.left = `${Draw.columnX(i + 1, hidden.length + 2, width) - 31}px`;
      const minus = document.createElement("button");
      minus.textContent = "\u2212";
      minus.title = `fewer neurons in layer ${i + 1}`;
      minus.onclick = () => changeNeurons(i, -1);
      const plus = document.createElement("button");
      plus.textContent = "+";
      plus.title = `more neurons in layer ${i + 1}`;
      plus.onclick = () => changeNeurons(i, +1);
      cell.append(minus, ` ${units} `, plus);
      box.append(cell);
    });
  }

  // ------------------------------------------------------------ talking to the server
  /** Send a request; draw the state it returns; start a new session if ours is gone. */
  async function act(call) {
    try {
      show("");
      apply(await call());
    } catch (error) {
      if (error.status === 403) {
        try {
          await start(state ? state.settings : {});
          show("The session had expired: started a new one.");
        } catch (again) {
          show(`Could not start a new session: ${again.message}`);
        }
      } else {
        show(error.message);
      }
    }
    schedule();
  }

  function change(values) { return act(() => Api.settings(values)); }

  function changeNeurons(layer, delta) {
    const hidden = state.settings.hidden.slice();
    hidden[layer] = Math.min(MOST_NEURONS, Math.max(1, hidden[layer] + delta));
    change({ hidden });
  }

  async function poll() {
    timer = null;
    try {
      apply(await Api.state(curves.train.length, dataVersion));
    } catch (error) {
      if (error.status === 403) { await act(() => Promise.reject(error)); return; }
      show(`The server does not answer (${error.message}); is \`plainnet playground\` running?`);
    }
    schedule();
  }

  function schedule() {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(poll, state && state.running ? 100 : 2000);
  }

  async function download() {
    try {
      const blob = await Api.model();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "playground.pnet";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch (error) {
      show(error.message);
    }
  }

  // ------------------------------------------------------------ the controls
  function bind() {
    $("run").onclick = () => act(() => Api.run(!state.running));
    $("step").onclick = () => act(() => Api.step());
    $("reset").onclick = () => act(() => Api.reset());
    $("download").onclick = download;
    $("regenerate").onclick = () => change({ seed: (state.settings.seed + 1) % 2147483647 });
    $("show-test").onchange = render;
    $("copy-python").onclick = () => navigator.clipboard.writeText(state.python);
    $("add-layer").onclick = () => {
      const hidden = state.settings.hidden;
      if (hidden.length < MOST_LAYERS) change({ hidden: hidden.concat([hidden.at(-1) || 4]) });
    };
    $("remove-layer").onclick = () => {
      if (state.settings.hidden.length > 0) change({ hidden: state.settings.hidden.slice(0, -1) });
    };
    for (const button of document.querySelectorAll("[data-dataset]")) {
      button.onclick = () => change({ dataset: button.dataset.dataset });
    }
    for (const control of document.querySelectorAll("[data-setting]")) {
      const name = control.dataset.setting;
      const read = () => (INTEGER_SETTINGS.has(name) ? parseInt(control.value, 10)
        : control.type === "range" || "number" in control.dataset ? parseFloat(control.value)
          : control.value);
      control.oninput = () => {
        const label = $(`${control.id}-value`);
        if (label) label.textContent = control.value;
      };
      control.onchange = () => change({ [name]: read() });
    }
  }

  async function start(settings) {
    const first = await Api.create(settings);
    state = null;
    dataVersion = -1;
    apply(first);
  }

  bind();
  start({}).then(schedule, (error) => show(`Could not start a session: ${error.message}`));
})();
