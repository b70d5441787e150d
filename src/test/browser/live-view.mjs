// Headless-Chromium test of the `serve` live view, driven by browser-test.sh (which starts a real flow training run
// and `serve` on its root). Checks, reading the page's own JS state (window.liveView), not pixels:
//   1. the background run appears on the page, as running;
//   2. its loss curve's point count grows while it trains, by incremental reads (each poll fetches only new bytes);
//   3. when it is done the page holds exactly the rows of metrics.csv, value for value (no row lost or doubled);
//   4. a screenshot is saved (OUT/live-view.png);
//   5. path traversal (.., %2e%2e, encoded slashes, absolute paths, symlinks out of the root) gets 404, a write
//      method 405, a foreign Host header 403; the same requests for a real file inside the root get 200 (control).
// Environment: BASE_URL, ROOT (served folder), OUT (artifact folder), CHROMIUM (browser binary), OUTSIDE_TEXT (the
// content of the file outside the root that the symlinks point at), TIMEOUT_S (default 420).
import {chromium} from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const BASE = process.env.BASE_URL;
const OUT = process.env.OUT;
const OUTSIDE_TEXT = process.env.OUTSIDE_TEXT || "outside-the-root";
const TIMEOUT_MS = 1000 * Number(process.env.TIMEOUT_S || 420);
const started = Date.now();
const results = [];

function check(ok, what) {
  results.push(`${ok ? "ok  " : "FAIL"} ${what}`);
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) throw new Error("check failed: " + what);
}

/** One request with the path sent exactly as given (no URL normalisation, unlike fetch or curl without --path-as-is). */
function raw(method, rawPath, headers = {}) {
  const u = new URL(BASE);
  return new Promise((resolve, reject) => {
    const req = http.request({host: u.hostname, port: u.port, method, path: rawPath, headers}, res => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", d => { body += d; });
      res.on("end", () => resolve({status: res.statusCode, body}));
    });
    req.on("error", reject);
    req.end();
  });
}

async function waitFor(page, fn, arg, what, timeoutMs) {
  try {
    return await page.waitForFunction(fn, arg, {timeout: timeoutMs, polling: 250});
  } catch (e) {
    throw new Error(`timed out waiting for ${what}: ${e.message}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // no sandbox as root; no background connections (the CI machine's network is closed: they would only fail)
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = false;
const consoleErrors = [];
try {
  const page = await browser.newPage({viewport: {width: 1400, height: 1000}});
  page.on("pageerror", e => consoleErrors.push("page error: " + e.message));
  page.on("console", m => { if (m.type() === "error") consoleErrors.push("console: " + m.text()); });
  await page.goto(BASE, {waitUntil: "load"});
  fs.writeFileSync(path.join(OUT, "page-ready"), ""); // browser-test.sh starts the training run now

  // 1. the run appears, running
  const row = await waitFor(page, () => {
    const r = (window.liveView.runs || []).find(x => x.path.startsWith("quickstart/"));
    return r && r.state === "running" && r.epoch >= 0 ? r : null;
  }, null, "the training run to be listed as running", TIMEOUT_MS);
  const run = await row.jsonValue();
  check(true, `run ${run.path} listed: state ${run.state}, ${run.dynamics}, engine ${run.engine}, epoch ${run.epoch}/${run.epochs}`);
  check(run.dynamics === "flow", "listed dynamics is flow");
  const listed = await page.locator(`#runs tr[data-path="${run.path}"]`).count();
  check(listed === 1, "the run has a row in the overview table");

  // 2. open it; the loss curve grows while it trains
  await page.locator(`#runs tr[data-path="${run.path}"] a`).click();
  await waitFor(page, () => window.liveView.charts.loss && window.liveView.run.rows > 0, null, "the loss chart", 60000);
  const points = () => page.evaluate(() => {
    const s = window.liveView;
    return {rows: s.run.rows, loss: s.charts.loss.data[1].filter(v => v !== null).length, bytes: s.run.bytesRead,
            offset: s.run.offset, requests: s.run.requests, last: s.run.lastChunkBytes,
            state: (s.runs.find(x => x.path === s.run.path) || {}).state};
  });
  const a = await points();
  await waitFor(page, n => window.liveView.charts.loss.data[1].filter(v => v !== null).length >= n + 3, a.loss,
    "the loss curve to grow by 3 points", TIMEOUT_MS);
  const b = await points();
  check(b.loss > a.loss, `loss curve grew while training: ${a.loss} -> ${b.loss} points (rows ${a.rows} -> ${b.rows}, ` +
    `state ${b.state})`);
  check(b.requests > a.requests && b.last < b.offset,
    `incremental: ${b.requests} requests read ${b.bytes} bytes in all, the last one ${b.last} bytes of ${b.offset}`);
  check(b.bytes === b.offset, "bytes read add up to the offset (no byte read twice)");

  // 3. done: the page holds exactly metrics.csv's rows
  await waitFor(page, p => { const r = window.liveView.runs.find(x => x.path === p); return r && r.state === "done"; },
    run.path, "the run to finish", Math.max(10000, TIMEOUT_MS - (Date.now() - started)));
  await waitFor(page, () => !window.liveView.run.busy, null, "the last poll", 10000);
  await page.evaluate(() => new Promise(r => setTimeout(r, 2500))); // one more metrics poll after "done"
  const csv = fs.readFileSync(path.join(process.env.ROOT, decodeURIComponent(run.path), "metrics.csv"), "utf8");
  const lines = csv.split("\n").filter(l => l.length > 0);
  const header = lines[0].split(",");
  const fileLoss = lines.slice(1).map(l => Number(l.split(",")[header.indexOf("train_loss")]));
  const pageLoss = await page.evaluate(() => window.liveView.run.cols.train_loss);
  check(pageLoss.length === fileLoss.length, `page holds ${pageLoss.length} rows, metrics.csv ${fileLoss.length}`);
  check(pageLoss.every((v, i) => v === fileLoss[i]), "every train_loss on the page equals metrics.csv's, row for row");
  const skipped = await page.evaluate(() => window.liveView.run.skipped);
  check(skipped === 0, "no line of a well-formed metrics.csv was skipped");
  const cold = await page.evaluate(() => window.liveView.run.derived.cold.filter(v => v !== null));
  check(cold.length === fileLoss.length - 1 && cold.every(v => v >= 1),
    `cold-start inefficiency on all ${cold.length} rows after t = 0, min ${Math.min(...cold).toFixed(3)} >= 1 (speed limit)`);
  const ntk = await waitFor(page, () => window.liveView.charts.ntk ? window.liveView.run.ntk : null, null,
    "the NTK spectrum", 15000);
  const spectrum = await ntk.jsonValue();
  check(spectrum.eigenvalue.length > 1, `NTK spectrum of epoch ${spectrum.epoch} drawn: ${spectrum.eigenvalue.length} eigenvalues`);

  // 4. screenshot
  fs.mkdirSync(OUT, {recursive: true});
  await page.screenshot({path: path.join(OUT, "live-view.png"), fullPage: true});
  check(fs.statSync(path.join(OUT, "live-view.png")).size > 10000, `screenshot ${path.join(OUT, "live-view.png")}`);

  check(consoleErrors.length === 0, "no JS errors on the page" + (consoleErrors.length ? ": " + consoleErrors.join("; ") : ""));

  // 5. traversal and methods (the page's own refused fetch below logs a console error on purpose)
  const control = await raw("GET", `/files/${run.path}/config.yaml`);
  check(control.status === 200 && control.body.includes("experiment: quickstart"), "control: a file inside the root is served (200)");
  const refused = [
    "/files/../../../../etc/passwd",
    "/files/" + run.path + "/../../../../../etc/passwd",
    "/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/files/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/files/..%2f..%2f..%2fetc%2fpasswd",
    "/files//etc/passwd",
    "/files/%2Fetc%2Fpasswd",
    "/api/metrics/..%2F..%2F..%2Fetc",
    "/api/metrics//etc",
    "/files/escape/outside.txt",
    "/files/outside-link.txt",
    "/api/metrics/escape-run",
    "/files/%2e%2e/outside.txt",
  ];
  for (const p of refused) {
    const r = await raw("GET", p);
    check(r.status === 404 && !r.body.includes("root:") && !r.body.includes(OUTSIDE_TEXT), `GET ${p} -> ${r.status}`);
  }
  const inPage = await page.evaluate(async () => (await fetch("/files/%2e%2e/%2e%2e/etc/passwd")).status);
  check(inPage === 404, `fetch() from the page of /files/%2e%2e/%2e%2e/etc/passwd -> ${inPage}`);
  for (const m of ["POST", "PUT", "DELETE"]) {
    const r = await raw(m, `/files/${run.path}/config.yaml`);
    check(r.status === 405, `${m} -> ${r.status}`);
  }
  const rebinding = await raw("GET", "/api/runs", {Host: "attacker.example:8000"});
  check(rebinding.status === 403, `Host: attacker.example -> ${rebinding.status}`);
} catch (e) {
  failed = true;
  console.error(e.message);
  try {
    const pages = browser.contexts().flatMap(c => c.pages());
    if (pages.length) {
      fs.mkdirSync(OUT, {recursive: true});
      await pages[0].screenshot({path: path.join(OUT, "live-view-failure.png"), fullPage: true});
      console.error("page state: " + await pages[0].evaluate(() => JSON.stringify({
        runs: window.liveView.runs, rows: window.liveView.run && window.liveView.run.rows, errors: window.liveView.errors})));
    }
  } catch (e2) {
    console.error("(no failure screenshot: " + e2.message + ")");
  }
  if (consoleErrors.length) console.error(consoleErrors.join("\n"));
} finally {
  await browser.close();
  fs.mkdirSync(OUT, {recursive: true});
  fs.writeFileSync(path.join(OUT, "results.txt"), results.join("\n") + "\n");
}
process.exit(failed ? 1 : 0);
