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


def render(data, figures: list[tuple[str, str, bytes]], explain: str, scenario_toml: str,
           created: str) -> str:
    """The whole page. ``figures``: ``(file name, caption, png bytes)``; ``created``: time stamp."""
    from gainsim.report import headline

    s = data.summary
    description = getattr(data.scenario, "description", "") or ""
    manifest = json.dumps(data.manifest, indent=2, ensure_ascii=False) if data.manifest else "—"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>gainsim report: {escape(s['scenario'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>{escape(s['scenario'])}</h1>",
        f'<p class="headline">{escape(headline(s))}</p>',
        f'<p class="description">{escape(description.strip())}</p></header>' if description
        else "</header>",
        '<nav><a href="#ranking">Ranking</a><a href="#theory">Theory</a>'
        '<a href="#figures">Figures</a><a href="#scenario">Scenario</a>'
        '<a href="#manifest">Manifest</a></nav>',
        '<h2 id="ranking">Ranking</h2>', results_table(s),
        '<h2 id="theory">What theory predicts (<code>gainsim explain</code>)</h2>',
        f"<pre>{escape(explain)}</pre>",
        '<h2 id="figures">Figures</h2>',
        *(_figure(name, caption, png) for name, caption, png in figures),
        '<h2 id="scenario">Scenario (resolved: every default filled in)</h2>',
        f"<pre>{escape(scenario_toml)}</pre>",
        '<h2 id="manifest">Manifest</h2>', f"<pre>{escape(manifest)}</pre>",
        f'<footer>report generated <time class="generated">{escape(created)}</time> '
        "by gainsim; regenerate it with <code>gainsim report RUN_DIR</code>.</footer>",
        "</body></html>", ""]
    return "\n".join(parts)
