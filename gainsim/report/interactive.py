r"""Offline interactive pages: sliders over a precomputed sweep, inline JavaScript and SVG.

Nothing is fetched: the page carries its data as inline JSON and draws with plain DOM
calls into inline SVG, so it opens from a file, offline, in any browser.

* :func:`goldilocks_sweep` / :func:`goldilocks_page` — an η slider on the 1-D bowl
  :math:`L = \tfrac12\lambda w^2`: the iterate path on the bowl, the loss curve, the pole
  :math:`1 - \eta\lambda` on the z-plane and the steps to 1 % of the initial loss, all
  *simulated* by gainsim (one policy per slider value, all in one bank).
* :func:`momentum_sweep` / :func:`momentum_page` — α (η) and β sliders for heavy-ball
  momentum on a 2-D bowl: the poles of both modes on the z-plane, the spectral radius and
  regime (:mod:`gainsim.theory.poles`), and the simulated misalignment curve, steps to
  1e-6 and iterate path.

References
----------
G. Goh, "Why momentum really works", Distill, 2017 (the interactive article this
control-engineer's version follows).
"""
from __future__ import annotations

import json
from dataclasses import replace
from importlib.resources import files

import numpy as np

from gainsim.demos.measure import estimates
from gainsim.theory import poles as tp


def _round(a, digits: int = 6):
    """Nested lists with ``digits`` significant digits; non-finite values become None."""
    a = np.asarray(a, float)
    out = np.vectorize(lambda v: float(f"{v:.{digits}g}") if np.isfinite(v) else np.nan)(a)
    return [[None if not np.isfinite(v) else v for v in row] for row in np.atleast_2d(out)]


def _first(m: np.ndarray, fraction: float) -> int | None:
    hit = np.flatnonzero(np.isfinite(m) & (m <= fraction * m[0]))
    return int(hit[0]) if hit.size else None


def _sweep_policies(scenario, gains, estimator) -> object:
    from gainsim.scenario.model import Policy

    return replace(scenario, policy=tuple(Policy(name=f"p{i}", estimator=estimator, gain=g)
                                          for i, g in enumerate(gains)))


def goldilocks_sweep(scenario, etas) -> dict:
    """Simulate gradient descent on the scenario's 1-D bowl at every η in ``etas``."""
    import gainsim
    from gainsim.gains.constant import Constant

    lam, w0 = float(scenario.plant.eigenvalues[0]), float(scenario.plant.theta0[0])
    etas = np.asarray(etas, float)
    res = gainsim.run(_sweep_policies(scenario, [Constant(eta=float(e)) for e in etas],
                                      scenario.policy[0].estimator))
    m = res.curves["misalignment_mean"]                                  # (P, K+1)
    poles = 1.0 - etas * lam
    path = estimates(res.scenario)[:, :, 0]
    steps = [_first(row, 0.01) for row in m]
    diverged = [p.diverged_at for p in res.policies]
    return {"lam": lam, "w0": w0, "etas": etas.tolist(), "poles": poles.tolist(),
            "steps": steps, "diverged_at": diverged, "path": _round(path[:, :41]),
            "loss": _round(res.curves["tracking_error_mean"][:, 1:]),
            "bound": 2.0 / lam, "deadbeat": 1.0 / lam}


def momentum_sweep(scenario, alphas, betas, path_steps: int = 60) -> dict:
    """Simulate heavy ball on the scenario's 2-D bowl over the grid ``alphas × betas``."""
    import gainsim
    from gainsim.gains.momentum import Momentum
    from gainsim.gains.schedules import Constant as ScheduledConstant

    lam = np.asarray(scenario.plant.eigenvalues, float)
    th0 = np.asarray(scenario.plant.theta0, float)
    alphas, betas = np.asarray(alphas, float), np.asarray(betas, float)
    grid = [(a, b) for b in betas for a in alphas]                 # row-major over beta
    gains = [Momentum(eta=ScheduledConstant(eta=float(a)), beta=float(b)) for a, b in grid]
    res = gainsim.run(_sweep_policies(scenario, gains, scenario.policy[0].estimator))
    m = res.curves["misalignment_mean"]
    poles, rho, regime = [], [], []
    for a, b in grid:
        z = tp.heavy_ball_poles(a, b, lam)                              # (n, 2)
        poles.append([[float(v.real), float(v.imag)] for v in z.ravel()])
        rho.append(tp.spectral_radius(z))
        regime.append(tp.regime(z))
    paths = estimates(res.scenario)[:, :path_steps + 1]
    paths = np.where(np.abs(paths) < 1e4, paths, np.nan)  # off the drawing: stop the path
    return {"lam": lam.tolist(), "theta0": th0.tolist(), "alphas": alphas.tolist(),
            "betas": betas.tolist(), "poles": poles, "rho": rho, "regime": regime,
            "steps": [_first(row, 1e-6) for row in m],
            "misalignment": _round(m), "path": [_round(p) for p in paths]}


def _page(title: str, data: dict, body: str, script: str) -> str:
    template = files("gainsim.report").joinpath("interactive_page.html").read_text(encoding="utf-8")
    payload = json.dumps(data, allow_nan=False, separators=(",", ":")).replace("</", "<\\/")
    return (template.replace("{{TITLE}}", title).replace("{{BODY}}", body)
            .replace("{{DATA}}", payload).replace("{{SCRIPT}}", script))


def goldilocks_page(data: dict) -> str:
    """The η-slider page for :func:`goldilocks_sweep` data (a complete HTML document)."""
    script = files("gainsim.report").joinpath("interactive_goldilocks.js").read_text(encoding="utf-8")
    n = len(data["etas"])
    start = int(np.argmin(np.abs(np.asarray(data["etas"]) - 0.3)))
    body = (f'<div class="controls"><label>η = <b id="eta-value"></b> '
            f'<input type="range" id="eta" min="0" max="{n - 1}" step="1" value="{start}">'
            '</label><span>pole 1 − ηf″ = <b id="pole"></b></span>'
            '<span>steps to 1 % of L₀: <b id="steps"></b></span>'
            '<span id="regime"></span></div>'
            '<div class="panels"><svg id="bowl" viewBox="0 0 360 260"></svg>'
            '<svg id="loss" viewBox="0 0 360 260"></svg>'
            '<svg id="zplane" viewBox="0 0 260 260"></svg></div>'
            f'<p class="note">Goldilocks gain 1/f″ = {data["deadbeat"]:g}, bound 2/f″ = '
            f'{data["bound"]:g}. Every slider position is a gainsim simulation, precomputed.</p>')
    return _page("gainsim: the Goldilocks gain", data, body, script)


def momentum_page(data: dict) -> str:
    """The α/β-slider page for :func:`momentum_sweep` data (a complete HTML document)."""
    script = files("gainsim.report").joinpath("interactive_momentum.js").read_text(encoding="utf-8")
    na, nb = len(data["alphas"]), len(data["betas"])
    body = (f'<div class="controls"><label>α = <b id="alpha-value"></b> <input type="range" '
            f'id="alpha" min="0" max="{na - 1}" step="1" value="{na // 3}"></label>'
            f'<label>β = <b id="beta-value"></b> <input type="range" id="beta" min="0" '
            f'max="{nb - 1}" step="1" value="{nb // 2}"></label>'
            '<span>ρ = max|z| = <b id="rho"></b></span><span id="regime"></span>'
            '<span>steps to 1e-6: <b id="steps"></b></span></div>'
            '<div class="panels"><svg id="path" viewBox="0 0 360 260"></svg>'
            '<svg id="loss" viewBox="0 0 360 260"></svg>'
            '<svg id="zplane" viewBox="0 0 260 260"></svg></div>'
            '<p class="note">poles: <span id="poles"></span>. Heavy ball '
            'θ ← θ − α∇f + β(θ − θ_prev) on eigenvalues '
            f'{", ".join(f"{v:g}" for v in data["lam"])}; curves simulated by gainsim.</p>')
    return _page("gainsim: momentum as a control loop", data, body, script)
