r"""Demo ``delay``: a stale gradient shrinks the stable gain (the delay margin of learning).

With the gradient of the estimate ``D`` updates old, each mode obeys
:math:`e_{k+1} = e_k - \eta\lambda e_{k-D}`: poles at the roots of
:math:`z^{D+1} - z^D + \eta\lambda`, stable iff
:math:`\eta\lambda < 2\sin(\pi/(2(2D+1)))` (:func:`gainsim.theory.delay_stability_bound`).

References
----------
G. Long, F. Ling and J. G. Proakis, "The LMS algorithm with delayed coefficient
adaptation", IEEE Trans. ASSP 37(9), 1989.
"""
from __future__ import annotations

from gainsim.demos.base import Demo, Number
from gainsim.demos.measure import misalignment, plot_misalignment
from gainsim.predict.zplane import policy_loops, simulated_rate, updates_axis
from gainsim.theory import delay_stability_bound

RATE_TOL = 1e-2  # the rate fitted over the simulated run against the spectral radius


def delay_numbers(results_list) -> list[Number]:
    res = results_list[0]
    s = res.scenario
    D = s.stream.feedback_delay
    lam = max(s.plant.eigenvalues)
    rows = [Number(f"stable ηλ with delay D = {d}", None, delay_stability_bound(d),
                   "2 sin(π / (2(2D + 1)))") for d in sorted({0, 1, 2, D})]
    k = updates_axis(s, res.t)
    for i, (policy, lp) in enumerate(zip(s.policy, policy_loops(s))):
        p = res.policies[i]
        rows.append(Number(f"{policy.name}: diverges", "yes" if p.diverged else "no",
                           "yes" if lp.eta * lam >= delay_stability_bound(D) else "no",
                           f"ηλ ≥ {delay_stability_bound(D):.4g}"))
        rows.append(Number(f"{policy.name}: rate ρ", simulated_rate(k, misalignment(res, i)),
                           lp.spectral_radius, f"max |z|, z^{D + 1} − z^{D} + ηλ = 0",
                           RATE_TOL))
    return rows


def delay_figures(results_list) -> dict:
    """``delay_root_locus.png``: the locus of z^{D+1} − z^D + ηλ and the loss per step."""
    import matplotlib.pyplot as plt

    from gainsim.predict.zplane import plot_root_locus

    res = results_list[0]
    s = res.scenario
    fig, (left, right) = plt.subplots(1, 2, figsize=(11.5, 5.2))
    plot_root_locus([lp for lp in policy_loops(s) if lp is not None], ax=left)
    plot_misalignment(right, res, updates_axis(s, res.t), xlabel="update k",
                      ylabel="‖θ − θ*‖² (simulated)", ylim=(1e-30, 1e12),
                      title=f"gradient {s.stream.feedback_delay} updates stale")
    fig.tight_layout()
    return {"delay_root_locus.png": fig}


DEMOS = (
    Demo("delay", "a stale gradient shrinks the stable gain: ηλ < 2 sin(π/(2(2D+1)))",
         ("delay",), delay_numbers, delay_figures),
)
