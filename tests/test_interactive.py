"""The offline interactive pages: self-contained, and their sliders show the precomputed sweep."""
import re

import pytest

import gainsim
from gainsim.demos import scenario_path
from gainsim.report.interactive import goldilocks_page, goldilocks_sweep, momentum_page, momentum_sweep
from browser import console_errors, open_page, set_range

ETAS = [0.05, 0.5, 0.9, 1.1]


@pytest.fixture(scope="module")
def gold():
    data = goldilocks_sweep(gainsim.load(scenario_path("goldilocks")), ETAS)
    return data, goldilocks_page(data)


@pytest.fixture(scope="module")
def momentum():
    from dataclasses import replace

    s = gainsim.load(scenario_path("curvature"))
    s = replace(s, run=replace(s.run, samples=100), metrics=replace(s.metrics, grid=100),
                policy=(s.policy[-1],))
    data = momentum_sweep(s, [0.02, 0.13358147468144974], [0.0, 0.40260548415522257, 0.8])
    return data, momentum_page(data)


def test_the_sweep_is_the_closed_form(gold):
    data, _ = gold
    assert data["steps"][:3] == [22, 1, 11]           # ⌈ln 0.01 / (2 ln|1 − 2η|)⌉
    assert data["diverged_at"][3] == 67               # 5·1.2^k > 1e6
    assert data["poles"] == pytest.approx([0.9, 0.0, -0.8, -1.2])
    assert data["path"][2][:3] == pytest.approx([5.0, -4.0, 3.2])   # w0 (1 − 2η)^k


@pytest.mark.parametrize("which", ["gold", "momentum"])
def test_pages_fetch_nothing(which, request):
    _, html = request.getfixturevalue(which)
    assert not re.search(r"<(script|img|link|iframe)[^>]+(src|href)=", html)
    assert not re.search(r"fetch\(|XMLHttpRequest|import\(|url\(", html)


def test_goldilocks_slider_shows_the_precomputed_numbers(gold, tmp_path):
    data, html = gold
    with open_page(html, tmp_path, "goldilocks.html") as driver:
        seen = []
        for i, eta in enumerate(ETAS):
            set_range(driver, "eta", i)
            text = {k: driver.find_element("id", k).text for k in ("eta-value", "steps", "pole")}
            assert text["eta-value"] == f"{eta:.2f}"
            assert float(text["pole"]) == pytest.approx(data["poles"][i], abs=0.005)
            seen.append(text["steps"])
            assert driver.find_elements("css selector", "#zplane circle.pole")
        assert seen == ["22", "1", "11", "never (diverges at step 67)"]
        assert console_errors(driver) == []


def test_momentum_sliders_show_the_precomputed_numbers(momentum, tmp_path):
    data, html = momentum
    with open_page(html, tmp_path, "momentum.html") as driver:
        for ib in range(3):
            for ia in range(2):
                set_range(driver, "alpha", ia)
                set_range(driver, "beta", ib)
                i = ib * 2 + ia
                assert float(driver.find_element("id", "rho").text) == pytest.approx(
                    data["rho"][i], abs=5e-5)
                steps = driver.find_element("id", "steps").text
                assert steps == (str(data["steps"][i]) if data["steps"][i] is not None
                                 else "not within the run")
                assert driver.find_element("id", "regime").text == data["regime"][i]
                assert len(driver.find_elements("css selector", "#zplane circle.pole")) == 4
        # Polyak's optimum (α = 4/(√20 + 1)², β = ((√20 − 1)/(√20 + 1))²):
        # ρ = (√20 − 1)/(√20 + 1)
        assert data["rho"][1 * 2 + 1] == pytest.approx((20 ** 0.5 - 1) / (20 ** 0.5 + 1), rel=1e-6)
        assert console_errors(driver) == []
