"""A headless Chromium for page tests (selenium), skipped with a reason when absent.

Usage: ``with chromium() as driver: driver.get(path.as_uri())``. Every network feature
that could fetch anything is switched off, and a fresh empty profile is used.
"""
from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
                 if Path(p).exists()), shutil.which("chromium"))
CHROMEDRIVER = next((p for p in ("/usr/bin/chromedriver",) if Path(p).exists()),
                    shutil.which("chromedriver"))
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,900")


@contextlib.contextmanager
def open_page(html: str, folder: Path, name: str = "page.html"):
    """Write ``html`` to ``folder/name`` and yield a headless Chromium showing it."""
    page = Path(folder) / name
    page.write_text(html, encoding="utf-8")
    with chromium() as driver:
        driver.get(page.as_uri())
        yield driver


@contextlib.contextmanager
def chromium():
    """A selenium driver for headless Chromium, or ``pytest.skip`` saying what is missing."""
    webdriver = pytest.importorskip("selenium.webdriver",
                                    reason="selenium not installed (pip install -e '.[test]')")
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium and chromium-driver not installed (apt-get install chromium "
                    "chromium-driver; .ci/run does it)")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="gainsim-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver) -> list[str]:
    """Browser console messages of level SEVERE since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def set_range(driver, element_id: str, value: int) -> None:
    """Move a range slider by script and fire its ``input`` event, as a user's drag does."""
    driver.execute_script(
        "const s = document.getElementById(arguments[0]); s.value = arguments[1];"
        "s.dispatchEvent(new Event('input', {bubbles: true}));", element_id, str(value))
