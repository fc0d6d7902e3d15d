"""Every command transcript in the docs is what the command prints today, and the Python
walk-through of ``docs/python.md`` runs, block by block, printing exactly its output blocks.

Transcripts are found by their lead-in: a line ending "`gainsim explain FILE` prints:" or
"`gainsim run FILE` ... prints:" followed by a fenced block, or a block whose first line
is "$ gainsim explain FILE" (or run). ``explain`` blocks must equal
the output; ``run`` blocks must hold the headline (when shown) and the ranked table exactly.
"""
import contextlib
import io
import os
import re
import shlex
from functools import lru_cache
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

import gainsim  # noqa: E402
from gainsim.predict.explain import explain_text  # noqa: E402
from gainsim.report.text import format_table, headline, summary_rows  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
LEAD = re.compile(r"`gainsim (explain|run) (scenarios/[\w.]+\.toml)`([^`\n]*(?:\n[^`\n]*)?)"
                  r"\s+prints:\s*\n+```[^\n]*\n(.*?)^```", re.M | re.S)
DOLLAR = re.compile(r"^```[^\n]*\n\$ gainsim (explain|run) (scenarios/[\w.]+\.toml)[ \t]*\n(.*?)^```",
                    re.M | re.S)
BLOCK = re.compile(r"^```([^\n]*)\n(.*?)^```", re.M | re.S)


def transcripts() -> list:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        matches = [(m.group(1), m.group(2), m.group(4)) for m in LEAD.finditer(text)]
        matches += [m.groups() for m in DOLLAR.finditer(text)]
        for command, path, block in matches:
            found.append(pytest.param(command, path, block,
                                      id=f"{page.name}:{command}:{Path(path).stem}"))
    return found


@lru_cache(maxsize=None)
def run_of(path: str):
    return gainsim.run(ROOT / path)


def test_the_transcripts_the_issue_names_are_found():
    ids = {p.id for p in transcripts()}
    assert {"mrac.md:explain:mrac_mit", "outputs.md:run:goldilocks",
            "README.md:run:quickstart"} <= ids


@pytest.mark.parametrize("command, path, block", transcripts())
def test_transcript_is_what_the_command_prints(command, path, block):
    if command == "explain":
        assert block == explain_text(gainsim.load(ROOT / path)) + "\n"
        return
    res = run_of(path)
    table = format_table(summary_rows(res.summary))
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#  policy"))
    assert "\n".join(lines[start:start + len(table.splitlines())]) == table
    if start > 0:
        assert lines[0] == headline(res.summary)


def walkthrough(text: str) -> list[tuple[str, str, str | None]]:
    """Run every python block of ``text`` in one namespace: (code, printed, text block after)."""
    blocks = [(m.group(1).strip(), m.group(2)) for m in BLOCK.finditer(text)]
    namespace, out = {}, []
    for j, (info, code) in enumerate(blocks):
        if info != "python":
            continue
        expected = blocks[j + 1][1] if j + 1 < len(blocks) and blocks[j + 1][0] == "text" \
            else None
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(code, "docs/python.md", "exec"), namespace)
        out.append((code, buf.getvalue(), expected))
    return out


def test_python_walkthrough_runs_and_prints_its_output_blocks(tmp_path):
    import matplotlib.pyplot as plt

    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        steps = walkthrough((ROOT / "docs" / "python.md").read_text(encoding="utf-8"))
    finally:
        os.chdir(cwd)
        plt.close("all")
    assert len(steps) >= 6
    for code, printed, expected in steps:
        if expected is not None:
            assert printed == expected, code
    assert (tmp_path / "runs" / "quickstart-notebook" / "report.html").is_file()


# ------------------------------------------------ any other "$ gainsim ..." transcript

STAMP = re.compile(r"-\d{8}-\d{6}")   # the time stamp of a default run or sweep folder


def session_blocks() -> list:
    """Blocks of ``$ gainsim ...`` commands, each followed by what it prints (stdout and
    stderr); a block of one plain ``explain``/``run FILE`` is checked above instead."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            lines = m.group(2).splitlines()
            if not lines or not lines[0].startswith("$ gainsim "):
                continue
            steps = []
            for line in lines:
                if line.startswith("$ gainsim "):
                    steps.append((shlex.split(line[len("$ gainsim "):]), []))
                else:
                    steps[-1][1].append(line)
            if len(steps) == 1 and steps[0][0][0] in ("explain", "run") and len(steps[0][0]) == 2:
                continue
            line_no = text[:m.start()].count("\n") + 1
            found.append(pytest.param(steps, id=f"{page.name}:{line_no}"))
    return found


def _printed(argv: list[str]) -> tuple[int, str]:
    from gainsim.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue() + err.getvalue()


def test_the_session_transcripts_are_found():
    ids = {p.id.split(":")[0] for p in session_blocks()}
    assert {"sweeps.md", "outputs.md"} <= ids


@pytest.mark.parametrize("steps", session_blocks())
def test_session_transcript_is_what_the_commands_print(steps, tmp_path):
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for argv, expected in steps:
            _, printed = _printed(argv)
            assert STAMP.sub("-STAMP", printed.rstrip("\n")) == \
                STAMP.sub("-STAMP", "\n".join(expected).rstrip("\n")), argv
    finally:
        os.chdir(cwd)


VALIDATE = re.compile(r"^```toml invalid\n(.*?)^```.*?`gainsim validate ([\w.]+)` prints:\s*\n+"
                      r"```[^\n]*\n(.*?)^```", re.M | re.S)


def test_the_validation_example_prints_what_the_page_says(tmp_path):
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    found = VALIDATE.findall(text)
    assert found
    for toml_text, name, expected in found:
        (tmp_path / name).write_text(toml_text, encoding="utf-8")
        cwd = os.getcwd()
        os.chdir(tmp_path)
        try:
            status, printed = _printed(["validate", name])
        finally:
            os.chdir(cwd)
        assert status == 2 and printed == expected
