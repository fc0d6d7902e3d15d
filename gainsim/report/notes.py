"""Python warnings raised during a run, turned into short notes the CLI prints.

numpy and scipy warn (``RuntimeWarning: overflow encountered``) when a policy
diverges, matplotlib warns about glyphs missing from its font and about
``tight_layout``. None of these should reach a user as a raw warning with a source
line; :func:`collect_notes` records them and keeps one plain sentence per kind.
"""
from __future__ import annotations

import contextlib
import warnings



@contextlib.contextmanager
def collect_notes():
    """``with collect_notes() as notes:`` — warnings inside become sentences in ``notes``.

    The list is filled when the block ends (also when it ends by an exception).
    """
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield notes
        finally:
            notes.extend(notes_from(caught))


def notes_from(caught) -> list[str]:
    """One sentence per kind of warning (repeats counted), in order of first appearance."""
    counts: dict[str, int] = {}
    for w in caught:
        note = _sentence(w.category, str(w.message))
        if note:
            counts[note] = counts.get(note, 0) + 1
    return [note if n == 1 else f"{note} ({n} times)" for note, n in counts.items()]


def _sentence(category: type, message: str) -> str | None:
    lowered = message.lower()
    if "layout" in lowered and ("tight" in lowered or "constrained" in lowered):
        return None  # layout advice about our own figures: nothing for the user to do
    if "Glyph" in message and "missing from" in message:
        return ("a character of a policy or scenario name is not in the plot font "
                "(drawn as a box in the figures)")
    if issubclass(category, RuntimeWarning) and any(
            word in message for word in ("overflow", "invalid value", "divide by zero")):
        return ("numpy/scipy met overflowing or undefined arithmetic, as when a policy "
                "diverges; see each policy's diverged_at")
    first = message.strip().splitlines()[0] if message.strip() else category.__name__
    return f"{category.__name__}: {first[:160]}"
