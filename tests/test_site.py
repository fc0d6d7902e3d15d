"""The docs build into a site with MkDocs, strictly: no broken links, no missing pages."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MISSING = [m for m in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python")
           if importlib.util.find_spec(m.split(".")[0]) is None
           or (m == "mkdocstrings_handlers.python" and importlib.util.find_spec(m) is None)]


@pytest.mark.skipif(bool(MISSING), reason=f"docs extra not installed ({', '.join(MISSING)}): "
                    "pip install -e '.[docs]'")
def test_mkdocs_build_strict(tmp_path):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                           "-d", str(tmp_path / "site")], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    teaching = (tmp_path / "site" / "teaching" / "index.html").read_text(encoding="utf-8")
    for figure in ("bowl.png", "root_locus.png", "momentum_map.png", "schedules_loss.png"):
        assert f"figures/demos/{figure}" in teaching
        assert (tmp_path / "site" / "figures" / "demos" / figure).is_file()
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    assert "delay_stability_bound" in api and "heavy_ball_regime_map" in api


def test_every_demo_is_on_the_teaching_page():
    from gainsim.demos import demos

    text = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    for name in demos():
        assert f"`gainsim demo {name}`" in text, name
    for line in text.splitlines():
        if line.startswith("![") and "](" in line:
            target = line.split("](", 1)[1].rstrip(")")
            assert (ROOT / "docs" / target).is_file(), target
