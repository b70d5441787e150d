// speedlimits live view (docs/serve.md). Polls the read-only JSON endpoints of `serve`: the run list every 5 s, the
// open run's metrics.csv every 2 s from the byte offset the last reply ended at (only new rows come back; the arrays
// here grow by appending). Derived curves follow docs/analysis.md (analysis.GroupAnalysis, one run = its own seed mean):
//   cold inefficiency  I_c(t) = t (L_0 - L_t) / |theta_t - theta_0|^2
//   warm inefficiency  I_w(t) = (t - t_s)(L_s - L_t) / |theta_t - theta_s|^2, s = first anchor at or after the first
//                      epoch > 0 whose test accuracy reaches the threshold (analyze's --warm-threshold, default 0.12)
//   l_gamma / l_geo    path_length / sqrt(dist2_init)
"use strict";

const RUNS_EVERY_MS = 5000;
const METRICS_EVERY_MS = 2000;
const NTK_EVERY_MS = 10000;
const MAX_CHUNKS_PER_POLL = 64; // a huge file is caught up over several polls, the page stays responsive

const state = {runs: [], sweeps: [], root: "", run: null, charts: {}, polls: 0, errors: []};
window.liveView = state; // read by the browser test (src/test/browser/live-view.mjs)

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

async function getJSON(url) {
  const r = await fetch(url, {cache: "no-store"});
  if (!r.ok) throw new Error(url + ": HTTP " + r.status);
  return r.json();
}

function fmt(v, digits = 3) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

function duration(s) {
  if (s === null || !Number.isFinite(s)) return "–";
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(sec).padStart(2, "0")}s` : `${sec}s`;
}

function ago(iso) {
  if (!iso) return "–";
  return duration((Date.now() - Date.parse(iso)) / 1000) + " ago";
}

function progressText(r) {
  if (r.epoch < 0) return "–";
  const pct = r.progress === null ? "" : ` (${Math.floor(100 * r.progress)}%)`;
  if (r.dynamics === "flow") return `t = ${fmt(r.time)} / ${fmt(r.horizon)}${pct}`;
  return `epoch ${r.epoch} / ${r.epochs}${pct}`;
}

// ---------------------------------------------------------------- overview

async function refreshRuns() {
  try {
    const s = await getJSON("/api/runs");
    state.runs = s.runs;
    state.sweeps = s.sweeps;
    state.root = s.root;
    renderRuns(s);
    document.getElementById("refreshed").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    note("run list: " + e.message);
  }
}

function renderRuns(s) {
  document.getElementById("root").textContent = s.root + (s.truncated ? " (first 10000 runs only)" : "");
  const body = document.querySelector("#runs tbody");
  body.replaceChildren();
  for (const r of s.runs) {
    const link = el("a", {href: "#run=" + r.path, text: r.path});
    const stateCell = el("td", {}, el("span", {class: "state " + r.state.replace(/\s/g, "-"), text: r.state}));
    if (r.detail) stateCell.title = r.detail;
    if (r.state === "stale") stateCell.append(el("div", {class: "detail", text: r.detail}));
    const bar = el("div", {class: "bar"}, el("div", {style: `width:${Math.round(100 * (r.progress || 0))}%`}));
    const tr = el("tr", {"data-path": r.path},
      el("td", {}, link), el("td", {text: r.sweep || ""}), stateCell,
      el("td", {}, bar, el("span", {text: progressText(r)})),
      el("td", {text: r.state === "running" ? duration(r.eta_seconds) : ""}),
      el("td", {text: r.dynamics}), el("td", {text: r.engine}), el("td", {text: ago(r.last_write)}));
    if (state.run && state.run.path === r.path) tr.classList.add("selected");
    body.append(tr);
  }
  document.getElementById("no-runs").hidden = s.runs.length > 0;
  const sweeps = document.querySelector("#sweeps tbody");
  sweeps.replaceChildren();
  for (const w of s.sweeps) {
    const counts = Object.entries(w.counts).map(([k, v]) => `${v} ${k}`).join(", ") || "no runs yet";
    sweeps.append(el("tr", {}, el("td", {text: w.name}), el("td", {text: w.path}),
      el("td", {text: w.tasks < 0 ? "?" : String(w.tasks)}), el("td", {text: counts})));
  }
  document.getElementById("sweeps").hidden = s.sweeps.length === 0;
  document.getElementById("sweeps-title").hidden = s.sweeps.length === 0;
  if (state.run) renderRunInfo();
}

// ---------------------------------------------------------------- one run

function newRun(path) {
  return {path, offset: 0, file: null, header: null, cols: {}, rows: 0, skipped: 0, bytesRead: 0, requests: 0,
          lastChunkBytes: 0, derived: {cold: [], warm: [], geo: []}, warmInfo: "", ntk: null, busy: false};
}

function openRun(path) {
  for (const c of Object.values(state.charts)) c.destroy();
  state.charts = {};
  state.run = newRun(path);
  document.getElementById("run").hidden = false;
  document.getElementById("run-title").textContent = path;
  const files = document.getElementById("files");
  files.replaceChildren("files: ");
  for (const [name, q] of [["config.yaml", ""], ["run.log", "?tail=65536"], ["status.json", ""], ["env.json", ""],
                           ["training.png", ""], ["ntk/summary.csv", ""]]) {
    files.append(el("a", {href: "/files/" + path + "/" + name + q, target: "_blank", text: name}), " ");
  }
  document.querySelectorAll("#runs tr").forEach(tr => tr.classList.toggle("selected", tr.dataset.path === path));
  pollRun();
  pollNtk();
}

async function pollRun() {
  const run = state.run;
  if (!run || run.busy) return;
  const listed = state.runs.find(x => x.path === run.path);
  if (listed && listed.metrics_bytes < 0) return; // no metrics.csv yet (a 404 would be logged as an error)
  run.busy = true;
  try {
    for (let i = 0; i < MAX_CHUNKS_PER_POLL; i++) {
      const q = `?offset=${run.offset}` + (run.file ? `&file=${encodeURIComponent(run.file)}` : "");
      const c = await getJSON("/api/metrics/" + run.path + q);
      if (state.run !== run) return; // another run was opened meanwhile
      run.requests++;
      if (c.reset && run.rows > 0) { // file replaced (resumed run) or truncated: start over
        const fresh = newRun(run.path);
        Object.assign(run, fresh, {busy: true, ntk: run.ntk, requests: run.requests});
      }
      if (c.header.length === 0) break; // metrics.csv just created: its header is not written yet
      if (!run.header || c.reset) setHeader(run, c.header);
      append(run, c.rows);
      run.skipped += c.skipped;
      run.lastChunkBytes = c.next - (c.reset ? 0 : run.offset);
      run.bytesRead += run.lastChunkBytes;
      run.offset = c.next;
      run.file = c.file;
      if (!c.more) break;
    }
    derive(run);
    draw(run);
    renderRunInfo();
    state.polls++;
  } catch (e) {
    note("metrics: " + e.message);
  } finally {
    run.busy = false;
  }
}

function setHeader(run, header) {
  run.header = header;
  run.cols = {};
  for (const h of header) run.cols[h] = [];
  run.rows = 0;
  run.anchors = header.map(h => /^dist2_anchor_(\d+)$/.exec(h)).filter(m => m).map(m => Number(m[1])).sort((a, b) => a - b);
}

function append(run, rows) {
  const names = run.header;
  for (const row of rows) {
    for (let j = 0; j < names.length; j++) run.cols[names[j]].push(row[j]);
  }
  run.rows += rows.length;
}

function positive(v) {
  return v !== null && Number.isFinite(v) && v > 0 ? v : null;
}

function derive(run) {
  const c = run.cols, d = run.derived, n = run.rows;
  const t = c.time, L = c.train_loss, d2 = c.dist2_init, pl = c.path_length;
  if (!t || !L || !d2) return;
  const L0 = c.epoch[0] === 0 ? L[0] : null;
  for (let i = d.cold.length; i < n; i++) {
    d.cold.push(i === 0 || L0 === null || !(d2[i] > 0) ? null : t[i] * (L0 - L[i]) / d2[i]);
    d.geo.push(!pl || i === 0 || !(d2[i] > 0) ? null : pl[i] / Math.sqrt(d2[i]));
  }
  // warm start: recomputed in full when the anchor row is first known or the threshold changes
  const thr = Number(document.getElementById("warm-threshold").value) || 0.12;
  const acc = c.test_acc || [];
  let tw = -1;
  for (let i = 0; i < n; i++) if (c.epoch[i] > 0 && acc[i] !== null && acc[i] >= thr) { tw = c.epoch[i]; break; }
  const s = tw < 0 ? undefined : run.anchors.find(a => a >= tw);
  const sRow = s === undefined ? -1 : c.epoch.indexOf(s);
  const key = `${thr}:${s}:${sRow}`;
  if (run.warmKey !== key) {
    run.warmKey = key;
    d.warm = [];
    run.warmInfo = tw < 0 ? `test accuracy has not reached ${thr} yet: no warm start`
      : s === undefined ? `warm start at epoch ${tw}, but no anchor at or after it (hooks.anchors): no warm curve`
      : sRow < 0 ? `warm start at epoch ${tw}, anchor ${s} not reached yet`
      : `warm start at epoch ${tw} (test accuracy ≥ ${thr}), anchor s = ${s} (t_s = ${fmt(t[sRow])})`;
  }
  if (sRow >= 0) {
    const d2s = c["dist2_anchor_" + s];
    for (let i = d.warm.length; i < n; i++) {
      d.warm.push(i <= sRow || !(d2s[i] > 0) ? null : (t[i] - t[sRow]) * (L[sRow] - L[i]) / d2s[i]);
    }
  } else {
    while (d.warm.length < n) d.warm.push(null);
  }
}

function renderRunInfo() {
  const run = state.run;
  if (!run) return;
  const r = state.runs.find(x => x.path === run.path);
  const parts = [];
  if (r) parts.push(`state ${r.state}${r.detail ? " (" + r.detail + ")" : ""}`, progressText(r),
                    `dynamics ${r.dynamics}`, `engine ${r.engine}`);
  parts.push(`${run.rows} rows of metrics.csv (${run.bytesRead} bytes in ${run.requests} requests)`);
  if (run.skipped > 0) parts.push(`${run.skipped} malformed line(s) skipped`);
  document.getElementById("run-info").textContent = parts.join(" · ");
  const notes = [run.warmInfo];
  if (document.getElementById("logx").checked) notes.push("log time axis: the row at t = 0 is not drawn");
  if (run.ntk && run.ntk.error) notes.push("NTK: " + run.ntk.error);
  document.getElementById("run-notes").textContent = notes.filter(x => x).join(" · ");
}

async function pollNtk() {
  const run = state.run;
  const listed = run && state.runs.find(x => x.path === run.path);
  if (!listed || !listed.has_ntk) return; // no ntk/ folder (yet): do not ask (a 404 would be logged as an error)
  try {
    const r = await fetch("/api/ntk/" + run.path, {cache: "no-store"});
    if (r.status === 404) return; // no ntk/ folder
    if (!r.ok) throw new Error("HTTP " + r.status);
    const s = await r.json();
    if (state.run !== run || !s.eigenvalue) return;
    if (!run.ntk || run.ntk.epoch !== s.epoch || run.ntk.eigenvalue.length !== s.eigenvalue.length) {
      run.ntk = s;
      drawNtk(run);
    }
  } catch (e) {
    note("ntk: " + e.message);
  }
}

// ---------------------------------------------------------------- plots

const COLORS = {train: "#1f77b4", test: "#d62728", cold: "#1f77b4", warm: "#ff7f0e", other: "#2ca02c"};

/** A horizontal reference line at y = v (the bound), drawn under the series; not a data series. */
function refLine(v, label) {
  return {
    hooks: {
      drawAxes: [u => {
        const y = u.valToPos(v, "y", true);
        if (!Number.isFinite(y) || y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = "#444";
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y);
        ctx.lineTo(u.bbox.left + u.bbox.width, y);
        ctx.stroke();
        ctx.fillStyle = "#444";
        ctx.font = `${11 * devicePixelRatio}px sans-serif`;
        ctx.textAlign = "right";
        ctx.textBaseline = "bottom";
        ctx.fillText(label, u.bbox.left + u.bbox.width - 4 * devicePixelRatio, y - 3 * devicePixelRatio);
        ctx.restore();
      }],
    },
  };
}

/** A y range that always contains `include` (the bound), log or linear. */
function rangeWith(include, log) {
  return (u, min, max) => {
    if (min === null || max === null) { min = include; max = include; }
    if (include !== null) { min = Math.min(min, include); max = Math.max(max, include); }
    return log ? uPlot.rangeLog(min, max, 10, true) : uPlot.rangeNum(min, max, 0.1, true);
  };
}

/** Tick labels: one format per axis, short exponents (1e-4, 2.5e5) so they fit the axis. */
function tick(v) {
  if (v === null) return "";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) {
    const [m, e] = v.toExponential(2).split("e");
    return `${Number(m)}e${Number(e)}`;
  }
  return Number(v.toPrecision(3)).toString();
}
const axisValues = (u, vals) => vals.map(tick);

/** Markers only where a series has few points in view (sparse columns such as test_acc, short runs). */
function fewPoints(u, si, i0, i1) {
  const y = u.data[si];
  let n = 0;
  for (let i = i0; i <= i1 && n < 80; i++) if (y[i] !== null && y[i] !== undefined) n++;
  return n < 80;
}

function chartSpec(run) {
  const c = run.cols, d = run.derived;
  const has = name => c[name] !== undefined;
  const specs = [
    {id: "loss", title: "loss", ylog: true, series: [
      ["train loss", c.train_loss, COLORS.train], ["test loss", c.test_loss, COLORS.test]]},
    {id: "accuracy", title: "accuracy", series: [
      ["train acc", c.train_acc, COLORS.train], ["test acc", c.test_acc, COLORS.test]]},
    {id: "inefficiency", title: "inefficiency (speed limit: ≥ 1)", ylog: true, bound: 1, series: [
      ["cold start", d.cold, COLORS.cold], ["warm start", d.warm, COLORS.warm]]},
    {id: "geo", title: "l_γ / l_geo (≥ 1)", bound: 1, series: [["l_γ / l_geo", d.geo, COLORS.other]]},
    {id: "grad_evals", title: "gradient evaluations", series: [["grad_evals", c.grad_evals, COLORS.other]]},
  ];
  if (has("lambda_max")) {
    // measured at a few times only (hooks.lambda_max_every): markers, no line suggesting values in between
    specs.push({id: "lambda_max", title: "λ_max of the Hessian", ylog: true, pointsOnly: true, series: [
      ["lambda_max", c.lambda_max, COLORS.test]]});
  }
  return specs.filter(s => s.series.some(x => x[1]));
}

/** The data arrays of a chart: x = time (rows with t > 0 only on a log axis); log y: non-positive values dropped. */
function chartData(run, spec, logx) {
  const t = run.cols.time;
  let from = 0;
  if (logx) while (from < t.length && !(t[from] > 0)) from++;
  const ys = spec.series.map(([, y]) => {
    const a = y ? y.slice(from, run.rows) : new Array(run.rows - from).fill(null);
    return spec.ylog ? a.map(positive) : a;
  });
  return [t.slice(from, run.rows), ...ys];
}

const PLOT_GAP = 16, PLOT_FRAME = 10; // #plots gap; .plot padding + border, both sides (style.css)

function plotWidth() {
  const w = document.getElementById("plots").clientWidth;
  const cols = w >= 1100 ? 3 : w >= 700 ? 2 : 1;
  return Math.max(300, Math.floor((w - (cols - 1) * PLOT_GAP) / cols) - PLOT_FRAME);
}

function makeChart(spec, data, logx, target) {
  const opts = {
    title: spec.title, width: plotWidth(), height: 250,
    scales: {x: {time: false, distr: logx ? 3 : 1},
             y: {distr: spec.ylog ? 3 : 1, range: spec.bound !== undefined ? rangeWith(spec.bound, spec.ylog) : undefined}},
    axes: [{label: "time t", values: axisValues, size: 40}, {values: axisValues, size: 60}],
    series: [{label: "t", value: (u, v) => fmt(v, 4)}, ...spec.series.map(([label, , color]) => ({
      label, stroke: color, width: 1.5, spanGaps: true, value: (u, v) => fmt(v, 4),
      points: {show: spec.pointsOnly ? true : fewPoints, size: spec.pointsOnly ? 7 : 5, fill: color},
      ...(spec.pointsOnly ? {paths: () => null} : {}),
    }))],
    plugins: spec.bound !== undefined ? [refLine(spec.bound, `bound = ${spec.bound}`)] : [],
    legend: {live: true},
  };
  return new uPlot(opts, data, target);
}

function draw(run) {
  if (!run.header || run.rows === 0) return;
  const logx = document.getElementById("logx").checked;
  const plots = document.getElementById("plots");
  for (const spec of chartSpec(run)) {
    const data = chartData(run, spec, logx);
    const chart = state.charts[spec.id];
    if (chart && chart.logx === logx) {
      chart.setData(data);
    } else {
      if (chart) chart.destroy();
      let box = document.getElementById("plot-" + spec.id);
      if (!box) { box = el("div", {class: "plot", id: "plot-" + spec.id}); plots.append(box); }
      box.replaceChildren();
      state.charts[spec.id] = makeChart(spec, data, logx, box);
      state.charts[spec.id].logx = logx;
    }
  }
}

function drawNtk(run) {
  const s = run.ntk;
  const k = s.eigenvalue.map((_, i) => i + 1);
  const lambda = s.eigenvalue.map(positive);
  if (state.charts.ntk) state.charts.ntk.destroy();
  let box = document.getElementById("plot-ntk");
  if (!box) { box = el("div", {class: "plot", id: "plot-ntk"}); document.getElementById("plots").append(box); }
  box.replaceChildren();
  state.charts.ntk = new uPlot({
    title: `NTK spectrum, epoch ${s.epoch} (latest of ${s.epochs.length})`, width: plotWidth(), height: 250,
    scales: {x: {time: false, distr: 3}, y: {distr: 3}},
    axes: [{label: "k", values: axisValues, size: 40}, {values: axisValues, size: 60}],
    series: [{label: "k"}, {label: "eigenvalue λ_k", stroke: COLORS.train, width: 1.5, value: (u, v) => fmt(v, 4),
              points: {show: fewPoints, size: 4, fill: COLORS.train}}],
  }, [k, lambda], box);
}

// ---------------------------------------------------------------- wiring

function note(message) {
  state.errors.push(message);
  if (state.errors.length > 20) state.errors.shift();
  console.warn(message);
}

function route() {
  const m = /^#run=(.+)$/.exec(location.hash);
  if (m && (!state.run || state.run.path !== m[1])) openRun(m[1]);
}

function redrawAll() {
  if (!state.run) return;
  for (const c of Object.values(state.charts)) c.destroy();
  state.charts = {};
  document.getElementById("plots").replaceChildren();
  draw(state.run);
  if (state.run.ntk) drawNtk(state.run);
  renderRunInfo();
}

window.addEventListener("hashchange", route);
document.getElementById("logx").addEventListener("change", redrawAll);
document.getElementById("warm-threshold").addEventListener("change", () => {
  if (state.run) { derive(state.run); draw(state.run); renderRunInfo(); }
});
let resizeTimer;
window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(redrawAll, 200); });

refreshRuns().then(route);
setInterval(() => { if (!document.hidden) refreshRuns(); }, RUNS_EVERY_MS);
setInterval(() => { if (!document.hidden) pollRun(); }, METRICS_EVERY_MS);
setInterval(() => { if (!document.hidden) pollNtk(); }, NTK_EVERY_MS);
