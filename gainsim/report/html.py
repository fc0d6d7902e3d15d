"""``report.html``: one self-contained page per run (inline CSS, figures as base64 PNG).

Nothing is fetched: no script, font or stylesheet from anywhere, so the page opens from
``file://`` on a machine without network and prints cleanly. :func:`render` is pure: it
takes the run's data, the PNG bytes of its figures and the time stamp, and returns text.
"""
from __future__ import annotations

import base64
import json
from html import escape

CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --rule: #d8dce3; --best: #e8f3ff; --bad: #b3261e; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       max-width: 1100px; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--rule); }
.headline { color: var(--muted); margin: 0 0 1rem; }
.description { white-space: pre-line; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { padding: .3rem .55rem; border-bottom: 1px solid var(--rule); text-align: right;
         vertical-align: top; }
th { background: #f4f6f9; position: sticky; top: 0; }
td:nth-child(2), th:nth-child(2) { text-align: left; }
table.plain td, table.plain th { text-align: left; }
tr.best td { background: var(--best); font-weight: 600; }
tr.diverged td { color: var(--bad); }
.table-wrap { overflow-x: auto; }
pre { background: #f6f7f9; border: 1px solid var(--rule); padding: .75rem; overflow-x: auto;
      font-size: .82rem; line-height: 1.35; }
figure { margin: 1.25rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: .88rem; }
nav a { margin-right: .9rem; }
footer { color: var(--muted); font-size: .8rem; margin-top: 3rem; }
@media print {
  body { max-width: none; font-size: 10.5pt; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  figure, tr, pre { break-inside: avoid; }
  th { position: static; }
  pre { white-space: pre-wrap; }
}
"""


def results_table(summary: dict) -> str:
    """The ranked table of ``gainsim run`` as an HTML table (every column it prints)."""
    from gainsim.report.text import ranked, summary_rows

    rows = summary_rows(summary)
    order = ranked(summary)
    policies = summary["policies"]
    out = ['<div class="table-wrap"><table>', "<thead><tr>"
           + "".join(f"<th>{escape(c)}</th>" for c in rows[0]) + "</tr></thead><tbody>"]
    for rank, (row, i) in enumerate(zip(rows[1:], order)):
        cls = "best" if rank == 0 and not policies[i]["diverged"] else (
            "diverged" if policies[i]["diverged"] else "")
        attr = f' class="{cls}"' if cls else ""
        out.append(f"<tr{attr}>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _figure(name: str, caption: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure id="{escape(name)}"><img src="data:image/png;base64,{data}" '
            f'alt="{escape(caption)}"><figcaption>{escape(caption)} '
            f"<code>{escape(name)}</code></figcaption></figure>")


def _page(title: str, header: list[str], sections: list[tuple[str, str, list[str]]],
          created: str) -> str:
    """The page skeleton: ``sections`` are ``(id, heading html, body parts)``."""
    nav = "".join(f'<a href="#{sid}">{escape(sid.capitalize())}</a>' for sid, _, _ in sections)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>gainsim report: {escape(title)}</title>",
             f"<style>{CSS}</style></head><body>", "<header>", *header, "</header>",
             f"<nav>{nav}</nav>"]
    for sid, heading, body in sections:
        parts += [f'<h2 id="{sid}">{heading}</h2>', *body]
    parts += [f'<footer>report generated <time class="generated">{escape(created)}</time> '
              "by gainsim; regenerate it with <code>gainsim report DIR</code>.</footer>",
              "</body></html>", ""]
    return "\n".join(parts)


def _header(title: str, headline: str, description: str = "") -> list[str]:
    out = [f"<h1>{escape(title)}</h1>", f'<p class="headline">{escape(headline)}</p>']
    if description.strip():
        out.append(f'<p class="description">{escape(description.strip())}</p>')
    return out


def _pre(text: str) -> list[str]:
    return [f"<pre>{escape(text)}</pre>"]


def plain_table(header: list[str], rows: list[list[str]], numeric: bool = False) -> list[str]:
    """A header row and rows of text cells as an HTML table (escaped); text left-aligned,
    or numbers right-aligned when ``numeric``."""
    cls = "" if numeric else ' class="plain"'
    return [f'<div class="table-wrap"><table{cls}><thead><tr>'
            + "".join(f"<th>{escape(c)}</th>" for c in header) + "</tr></thead><tbody>",
            *("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows),
            "</tbody></table></div>"]


POLES_NOTE = ("Each fixed linear loop's poles z (one set per eigen-mode λ of the plant): the "
              "error of mode i shrinks by |zᵢ| per update, so ρ = max|z| is the predicted "
              "convergence rate and ρ ≥ 1 means the loop is unstable. The last column is ρ "
              "fitted to the simulated misalignment (gainsim poles FILE prints the same).")


def poles_html(poles: tuple[list[list[str]], bytes | None]) -> list[str]:
    """The z-plane section: the poles table and the root locus (see :mod:`gainsim.report.poles`)."""
    table, png = poles
    out = [f"<p>{escape(POLES_NOTE)}</p>", *plain_table(table[0], table[1:])]
    if png is not None:
        out.append(_figure("root_locus.png", "Root locus of learning: every mode's poles as η "
                           "grows from 0 past the bound, the unit circle, and each policy "
                           "marked where its gain puts them.", png))
    return out


def render(data, figures: list[tuple[str, str, bytes]], explain: str, scenario_toml: str,
           created: str, poles: tuple[list[list[str]], bytes | None] | None = None,
           lead: tuple | list = ()) -> str:
    """The run's page. ``figures``: ``(file name, caption, png bytes)``; ``created``: time
    stamp; ``poles``: the z-plane table and root-locus PNG, when the plant has eigen-modes;
    ``lead``: ``(id, heading html, body parts)`` sections put first (a demo's claim)."""
    from gainsim.report.text import headline

    s = data.summary
    manifest = json.dumps(data.manifest, indent=2, ensure_ascii=False) if data.manifest else "—"
    return _page(s["scenario"], _header(s["scenario"], headline(s),
                                        getattr(data.scenario, "description", "") or ""), [
        *lead,
        ("ranking", "Ranking", [results_table(s)]),
        ("theory", "What theory predicts (<code>gainsim explain</code>)", _pre(explain)),
        ("figures", "Figures", [_figure(n, c, png) for n, c, png in figures]),
        *([("poles", "The z-plane view (poles of learning)", poles_html(poles))] if poles else []),
        ("scenario", "Scenario (resolved: every default filled in)", _pre(scenario_toml)),
        ("manifest", "Manifest", _pre(manifest)),
    ], created)


def render_sweep(sweep: dict, header: list[str], rows: list[list[str]], png: bytes,
                 scenario_toml: str, manifest: dict | None, created: str) -> str:
    """A sweep directory's page: its points as a table, ``sweep.png``, the spec, the manifest.

    ``sweep``: ``sweep.json``; ``header``/``rows``: ``sweep.csv``.
    """
    axes = " × ".join(f"{k} ({len(v)} values)" for k, v in sweep["over"].items())
    line = (f"{sweep['scenario']}: {len(sweep['points'])} points over {axes}, "
            f"{sweep['replicas']} replicas each, seed {sweep['seed']}")
    table = plain_table(header, rows, numeric=True)
    best = json.dumps(sweep.get("best"), indent=2, ensure_ascii=False)
    return _page(sweep["scenario"], _header(sweep["scenario"], line), [
        ("best", "Best points", _pre(best)),
        ("figures", "Figures", [_figure("sweep.png", "Each policy's steady-state tracking "
                                        "error across the sweep, with theory.", png)]),
        ("points", "Every point (sweep.csv)", table),
        ("scenario", "Scenario (as given)", _pre(scenario_toml)),
        ("manifest", "Manifest", _pre(json.dumps(manifest, indent=2, ensure_ascii=False)
                                      if manifest else "—")),
    ], created)


def demo_sections(summary: str, side_by_side: list[list[str]], numbers: list[list[str]],
                  figures: list[tuple[str, str, bytes]]) -> list[tuple[str, str, list[str]]]:
    """A demo's own sections: its claim, the numbers next to their closed forms, its figures.

    ``side_by_side``: the demo's two-column table (may be empty); ``numbers``: header and
    rows as ``gainsim demo`` prints them; ``figures``: ``(file name, caption, png bytes)``.
    """
    claim = [f"<p>{escape(summary)}</p>"]
    if side_by_side:
        claim += plain_table(["", ""], side_by_side)
    out = [("claim", "The claim", claim),
           ("numbers", "Simulated, next to the closed form", plain_table(numbers[0], numbers[1:]))]
    if figures:
        out.append(("demo-figures", "The demo's figures",
                    [_figure(n, c, png) for n, c, png in figures]))
    return out


def render_demo(name: str, summary: str, sections: list, runs: list[tuple[str, str, str]],
                created: str) -> str:
    """The page of a demo with several scenarios: its ``sections``
    (:func:`demo_sections`) and a link to each scenario's own ``report.html``.

    ``runs``: ``(scenario name, relative link, headline)``.
    """
    links = ["<ul>", *(f'<li><a href="{escape(link)}">{escape(title)}</a> — {escape(line)}</li>'
                       for title, link, line in runs), "</ul>"]
    line = f"{len(runs)} scenarios; every number next to its closed form"
    return _page(f"demo {name}", _header(f"demo {name}", line),
                 [*sections, ("runs", "Each scenario's report", links)], created)
