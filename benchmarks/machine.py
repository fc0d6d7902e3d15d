"""The machine a benchmark ran on, written next to every table it prints.

Ratios measured in one process travel between machines better than absolute times,
but not perfectly: the CPU model and its SIMD level (what numpy dispatches to and what
numba's LLVM targets) decide how much a vectorised loop gains, and the load average
says whether other processes shared the cores while the figures were taken.
"""
from __future__ import annotations

import datetime
import importlib.metadata as md
import os
import platform

SIMD_LEVELS = ("AVX512F", "AVX2", "AVX", "SSE42", "SSE2", "ASIMD", "NEON")


def version(dist: str) -> str:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def simd_level() -> str:
    """Widest SIMD extension numpy found on this CPU, and the CPU name LLVM compiles for."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as features
    best = next((s for s in SIMD_LEVELS if features.get(s)), "none found")
    try:
        import llvmlite.binding as llvm

        target = llvm.get_host_cpu_name()
    except Exception:  # noqa: BLE001 - informative only
        target = "unknown"
    return f"{best} (numba/LLVM target: {target})"


def nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def load_average() -> str:
    try:
        return "/".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def header(title: str, command: str, load_before: str) -> str:
    """Markdown lines that open a results file: date, machine, versions, command, load."""
    return (f"{datetime.date.today().isoformat()} — {title}\n\n"
            f"- machine: nproc {nproc()}, {cpu_model()}, SIMD {simd_level()}, "
            f"{platform.system()} {platform.machine()}\n"
            f"- python {platform.python_version()}, numpy {version('numpy')}, "
            f"numba {version('numba')}, scipy {version('scipy')}, simpy {version('simpy')}, "
            f"matplotlib {version('matplotlib')}, padasip {version('padasip')}, "
            f"gainsim {version('gainsim')}\n"
            f"- command: `{command}`\n"
            f"- load average (1/5/15 min) before: {load_before}, after: {load_average()} "
            f"(other processes share the cores; ratios are only meaningful when this is low)\n")
