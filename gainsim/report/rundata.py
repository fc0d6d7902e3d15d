"""What a run directory holds, as one object, and the notebook face of a run.

:class:`RunData` is the content of a run directory (summary, traces, per-replica
results, resolved scenario, manifest), built from fresh :class:`~gainsim.engine.runner.Results`
or read back from the files. Figures, tables and ``report.html`` are drawn from it, so a
report regenerated from saved files is the report of the run.

:class:`Reportable` gives a run its Python API: ``repr`` (the ranked table),
``_repr_html_`` (the same in a notebook), ``summary``, ``plot``, ``to_frame`` and ``save``;
:class:`RunData` and :class:`gainsim.api.RunResult` (what :func:`gainsim.run` returns)
have it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


class Reportable:
    """The Python/notebook API of a run; subclasses provide :meth:`run_data` and ``summary``
    (the dict of ``summary.json``)."""

    summary: dict

    def run_data(self) -> "RunData":  # pragma: no cover - overridden
        raise NotImplementedError

    def plot(self, kind: str = "tracking_error", ax=None, **options):
        """Draw a figure and return its matplotlib axes (never shows it).

        ``kind``: ``"tracking_error"`` (default), ``"eta"``, ``"misalignment"``,
        ``"theta"``, ``"steady_state"``, ``"replicas"`` or ``"path"`` (quadratic plant);
        ``ax``: draw there instead of on a new figure. ``theta`` and ``path`` take
        ``policy=`` (index or name; default the best-ranked).
        """
        from gainsim.figures import plot

        return plot(self, kind, ax=ax, **options)

    def to_frame(self):
        """The per-policy summary as a pandas DataFrame indexed by policy name.

        Needs pandas (``pip install "gainsim[data]"``). The 95 % CI becomes the columns
        ``ci95_low`` and ``ci95_high``; ``theta_final`` stays a list per row.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError('to_frame() needs pandas: pip install "gainsim[data]"') from None
        rows = []
        for p in self.summary["policies"]:
            row = {k: v for k, v in p.items() if k != "steady_state_tracking_error_ci95"}
            row["ci95_low"], row["ci95_high"] = p["steady_state_tracking_error_ci95"]
            rows.append(row)
        return pd.DataFrame(rows).set_index("name")

    def save(self, folder, *, force: bool = False) -> Path:
        """Write the run directory ``folder`` exactly as ``gainsim run`` does; return it.

        An existing folder is replaced only with ``force=True``.
        """
        from gainsim.report.runfiles import write_run

        out = Path(folder)
        if out.exists() and not force:
            raise FileExistsError(f"{out}: already exists (use force=True to replace it)")
        return write_run(out, self, f"python: save({str(out)!r})", force=force)

    def __repr__(self) -> str:
        from gainsim.report.text import format_table, headline, summary_rows

        return f"{headline(self.summary)}\n\n{format_table(summary_rows(self.summary))}"

    def _repr_html_(self) -> str:
        from gainsim.report.html import results_table

        return results_table(self.summary)


@dataclass(frozen=True, repr=False)
class RunData(Reportable):
    """The content of a run directory (see ``docs/outputs.md``)."""

    scenario: object        # the resolved Scenario
    summary: dict           # summary.json
    traces: dict            # traces.npz: name -> array
    replicas: dict          # replicas.npz: name -> (R, P) array
    manifest: dict | None = None

    def run_data(self) -> "RunData":
        return self

    @classmethod
    def from_results(cls, results, manifest: dict | None = None) -> "RunData":
        """What a run directory of ``results`` holds (the summary as JSON would read back)."""
        from gainsim.report.text import replica_arrays, summary_dict, trace_arrays

        summary = json.loads(json.dumps(summary_dict(results), allow_nan=False))
        return cls(scenario=results.scenario, summary=summary, traces=trace_arrays(results),
                   replicas=replica_arrays(results), manifest=manifest)

    @classmethod
    def load(cls, folder) -> "RunData":
        """Read a run directory written by ``gainsim run`` (or :meth:`Reportable.save`).

        Raises ``FileNotFoundError`` naming the first missing file.
        """
        import numpy as np

        from gainsim.scenario import load

        folder = Path(folder)
        for name in ("summary.json", "traces.npz", "scenario.resolved.toml"):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder / name}: missing (not a gainsim run directory?)")
        with np.load(folder / "traces.npz") as npz:
            traces = {k: npz[k] for k in npz.files}
        replicas = {}
        if (folder / "replicas.npz").is_file():
            with np.load(folder / "replicas.npz") as npz:
                replicas = {k: npz[k] for k in npz.files}
        manifest = (json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
                    if (folder / "manifest.json").is_file() else None)
        return cls(scenario=load(folder / "scenario.resolved.toml"),
                   summary=json.loads((folder / "summary.json").read_text(encoding="utf-8")),
                   traces=traces, replicas=replicas, manifest=manifest)
