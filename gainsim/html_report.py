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
    from gainsim.report import ranked, summary_rows

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


def render(data, figures: list[tuple[str, str, bytes]], explain: str, scenario_toml: str,
           created: str) -> str:
    """The run's page. ``figures``: ``(file name, caption, png bytes)``; ``created``: time stamp."""
    from gainsim.report import headline

    s = data.summary
    manifest = json.dumps(data.manifest, indent=2, ensure_ascii=False) if data.manifest else "—"
    return _page(s["scenario"], _header(s["scenario"], headline(s),
                                        getattr(data.scenario, "description", "") or ""), [
        ("ranking", "Ranking", [results_table(s)]),
        ("theory", "What theory predicts (<code>gainsim explain</code>)", _pre(explain)),
        ("figures", "Figures", [_figure(n, c, png) for n, c, png in figures]),
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
    table = ['<div class="table-wrap"><table><thead><tr>'
             + "".join(f"<th>{escape(c)}</th>" for c in header) + "</tr></thead><tbody>",
             *("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows),
             "</tbody></table></div>"]
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
