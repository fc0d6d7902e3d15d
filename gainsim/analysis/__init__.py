"""Measures of a run: steady-state errors, settling times, confidence intervals and paired comparisons across replicas."""
