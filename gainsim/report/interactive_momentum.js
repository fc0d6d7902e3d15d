// The momentum page: alpha and beta sliders over a precomputed grid (row-major over beta).
const a = document.getElementById("alpha"), b = document.getElementById("beta");
function draw() {
  const ia = Number(a.value), ib = Number(b.value), i = ib * DATA.alphas.length + ia;
  document.getElementById("alpha-value").textContent = DATA.alphas[ia].toPrecision(3);
  document.getElementById("beta-value").textContent = DATA.betas[ib].toFixed(2);
  document.getElementById("rho").textContent = DATA.rho[i].toFixed(4);
  document.getElementById("regime").textContent = DATA.regime[i];
  document.getElementById("steps").textContent = DATA.steps[i] === null ? "not within the run" : String(DATA.steps[i]);
  document.getElementById("poles").textContent = DATA.poles[i].map(([re, im]) =>
    Math.abs(im) < 1e-12 ? re.toFixed(3) : re.toFixed(3) + (im < 0 ? "−" : "+") + Math.abs(im).toFixed(3) + "i").join(", ");
  const th0 = DATA.theta0, svg = document.getElementById("path");
  clear(svg);
  const m0 = Math.max(Math.abs(th0[0]), Math.abs(th0[1])) * 1.3;
  const sx = scale(-m0, m0, 20, 350), sy = scale(-m0, m0, 240, 20);
  const f0 = 0.5 * (DATA.lam[0] * th0[0] * th0[0] + DATA.lam[1] * th0[1] * th0[1]);
  for (const level of [0.01, 0.05, 0.2, 0.5, 1]) {
    el(svg, "ellipse", {cx: sx(0), cy: sy(0), rx: sx(Math.sqrt(2 * level * f0 / DATA.lam[0])) - sx(0),
      ry: sy(0) - sy(Math.sqrt(2 * level * f0 / DATA.lam[1])), fill: "none", stroke: "#ddd"});
  }
  const p = DATA.path[i].filter(r => r[0] !== null);
  polyline(svg, p.map(r => r[0]), p.map(r => r[1]), sx, sy, {stroke: "#d35400", "stroke-width": 1.3});
  el(svg, "text", {x: 8, y: 16}, "iterates θ_k on the bowl's contours");
  const loss = document.getElementById("loss");
  clear(loss);
  const m = DATA.misalignment[i].filter((v, k, all) => all.slice(0, k + 1).every(x => x !== null && x > 1e-30)), lsy = logAxis(loss, -30, 4, "‖θ − θ*‖², simulated");
  polyline(loss, m.map((_, k) => k), m, scale(0, m.length, 40, 350), lsy, {stroke: "#2e86c1", "stroke-width": 1.5});
  zplane(document.getElementById("zplane"), DATA.poles[i], "poles of both modes");
}
a.addEventListener("input", draw);
b.addEventListener("input", draw);
draw();
