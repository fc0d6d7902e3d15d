"""Paired comparisons against hand-computed values, and in summary.json."""
import math

import numpy as np
import pytest

import gainsim
from gainsim.analysis.paired import paired_fields
from gainsim.report.text import summary_dict, summary_rows


def test_paired_interval_by_hand():
    # Policy 1 minus policy 0 per replica: d = (1, 2, 0): mean 1, sample sd 1, R = 3,
    # t_{0.975, 2} = 4.302652729749464 (tables), half width 4.3027 / sqrt(3) = 2.48414.
    errors = np.array([[1.0, 2.0, 5.0], [2.0, 4.0, 9.0], [3.0, 3.0, 7.0]])
    fields = paired_fields(errors, best=0, diverged=[False, False, False])
    half = 4.302652729749464 / math.sqrt(3)
    assert fields[1]["difference_to_best"] == pytest.approx(1.0)
    assert fields[1]["difference_to_best_ci95"] == pytest.approx([1 - half, 1 + half])
    assert fields[1]["distinguishable_from_best"] is False  # the interval holds 0
    # policy 2: d = (4, 7, 4): mean 5, sd sqrt(3), half 4.3027 * sqrt(3) / sqrt(3) = 4.3027
    assert fields[2]["difference_to_best_ci95"] == pytest.approx(
        [5 - 4.302652729749464, 5 + 4.302652729749464])
    assert fields[2]["distinguishable_from_best"] is True
    assert fields[0] == {"difference_to_best": 0.0, "difference_to_best_ci95": [0.0, 0.0],
                         "distinguishable_from_best": False}


def test_pairing_beats_the_unpaired_intervals_and_divergence_is_distinguishable():
    toml = """
[plant]
kind = "fir"
taps = 4
noise_std = 0.5
drift = { kind = "random_walk", std = 1e-3 }
[run]
samples = 3000
replicas = 6
seed = 2
[[policy]]
name = "a"
estimator = "lms"
gain = 0.02
[[policy]]
name = "b"
estimator = "lms"
gain = 0.021
[[policy]]
name = "boom"
estimator = "lms"
gain = 5.0
"""
    results = gainsim.run(gainsim.loads(toml))
    summary = summary_dict(results)
    a, b, boom = summary["policies"]
    assert summary["best_policy"] in ("a", "b")
    other = b if summary["best_policy"] == "a" else a
    lo, hi = other["difference_to_best_ci95"]
    own = [p["steady_state_tracking_error_ci95"] for p in (a, b)]
    # the same samples for both: the paired interval is far narrower than either own CI
    assert hi - lo < 0.2 * min(h - l for l, h in own)
    assert boom["diverged"] and boom["distinguishable_from_best"] is True
    assert boom["difference_to_best"] is None
    cells = [row[-1] for row in summary_rows(results)[1:]]
    assert cells[0] == "best"
