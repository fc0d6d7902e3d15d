// The Goldilocks page: one precomputed simulation per slider position.
const slider = document.getElementById("eta");
function regimeOf(p) {
  if (Math.abs(p) >= 1) return "unstable";
  return p >= 0 ? "monotone" : "oscillating";
}
function draw() {
  const i = Number(slider.value), eta = DATA.etas[i], pole = DATA.poles[i];
  document.getElementById("eta-value").textContent = eta.toFixed(2);
  document.getElementById("pole").textContent = pole.toFixed(2);
  const steps = DATA.steps[i], div = DATA.diverged_at[i];
  document.getElementById("steps").textContent =
    steps !== null ? String(steps) : (div !== null ? "never (diverges at step " + div + ")" : "not within the run");
  document.getElementById("regime").textContent = regimeOf(pole);
  const w0 = Math.abs(DATA.w0), lam = DATA.lam;
  const bowl = document.getElementById("bowl");
  clear(bowl);
  const sx = scale(-1.3 * w0, 1.3 * w0, 20, 350), sy = scale(0, 0.5 * lam * 1.69 * w0 * w0, 240, 20);
  const ws = [], ls = [];
  for (let k = 0; k <= 100; k++) { const w = -1.3 * w0 + 2.6 * w0 * k / 100; ws.push(w); ls.push(0.5 * lam * w * w); }
  polyline(bowl, ws, ls, sx, sy, {stroke: "#999"});
  const path = DATA.path[i].filter(v => v !== null && Math.abs(v) < 1.3 * w0).slice(0, 12);
  polyline(bowl, path, path.map(w => 0.5 * lam * w * w), sx, sy, {stroke: "#d35400", "stroke-width": 1.5});
  for (const w of path) el(bowl, "circle", {cx: sx(w), cy: sy(0.5 * lam * w * w), r: 3, fill: "#d35400"});
  el(bowl, "text", {x: 8, y: 16}, "iterates w_k on L(w)");
  const loss = document.getElementById("loss");
  clear(loss);
  const lsy = logAxis(loss, -12, 8, "loss L(w_k), simulated");
  const lsx = scale(0, DATA.loss[i].length, 40, 350);
  const shown = [];
  for (const v of DATA.loss[i]) { if (v === null || v < 1e-12) break; shown.push(v); }
  polyline(loss, shown.map((_, k) => k), shown, lsx, lsy, {stroke: "#2e86c1", "stroke-width": 1.5});
  zplane(document.getElementById("zplane"), [[pole, 0]], "pole on the z-plane");
}
slider.addEventListener("input", draw);
draw();
