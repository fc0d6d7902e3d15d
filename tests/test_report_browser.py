"""``report.html`` in headless Chromium: no console error, every image decoded, nothing
requested from the network, a screenshot that is not blank.

Uses Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them with
apt-get) through selenium; no browser is downloaded. Skipped, with the reason, only when
the browser or its driver is absent.
"""
import json
import shutil

import numpy as np
import pytest

from conftest import fir_scenario, policies
from gainsim.cli.main import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the [test] extra")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="headless Chromium unavailable: apt-get install chromium chromium-driver")

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,2000",
         "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*",
                                                              "ws://*", "wss://*"]})
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    from gainsim.scenario import dumps

    folder = tmp_path_factory.mktemp("runs")
    scen = fir_scenario(samples=400, grid=40, replicas=3,
                        policies=policies(("lms", 0.01), ("nlms", 0.3), ("lms", 0.9)))
    (folder / "s.toml").write_text(dumps(scen))
    assert main(["run", str(folder / "s.toml"), "-o", str(folder / "run"), "--quiet"]) == 0
    return folder / "run"


def _requests(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_report_opens_offline_with_every_image_decoded(browser, run_dir, tmp_path):
    browser.get("about:blank")
    browser.get_log("performance"), browser.get_log("browser")  # start from empty logs
    browser.get((run_dir / "report.html").resolve().as_uri())
    state = browser.execute_script(
        "return {ready: document.readyState, title: document.title,"
        " images: Array.from(document.images).map(i => [i.complete, i.naturalWidth]),"
        " tables: document.querySelectorAll('table tbody tr').length,"
        " pre: Array.from(document.querySelectorAll('pre')).map(p => p.textContent.length)}")
    assert state["ready"] == "complete" and "gainsim report" in state["title"]
    assert len(state["images"]) == 6   # five figures and the root locus
    assert all(done and width > 0 for done, width in state["images"]), state["images"]
    assert state["tables"] == 3 + 3 and len(state["pre"]) == 3 and min(state["pre"]) > 0
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    leaving = [u for u in _requests(browser) if not u.startswith(("file:", "data:"))]
    assert leaving == []
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[0] > 500 and pixels.std() > 0.05, "screenshot is not blank"
    assert np.mean(pixels.min(axis=2) < 0.5) > 0.01, "dark text and lines on the page"


def test_the_checks_catch_a_page_that_fetches_something(browser, run_dir, tmp_path):
    page = tmp_path / "leaky.html"
    html = (run_dir / "report.html").read_text()
    page.write_text(html.replace("</body>", '<img src="https://example.invalid/x.png"></body>'))
    browser.get("about:blank")
    browser.get_log("performance")
    browser.get(page.resolve().as_uri())
    widths = browser.execute_script("return Array.from(document.images).map(i => i.naturalWidth)")
    assert widths[-1] == 0
    assert "https://example.invalid/x.png" in _requests(browser)
