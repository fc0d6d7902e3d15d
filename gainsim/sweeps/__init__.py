"""Sweeps, tuning and the gain range test: many runs of one scenario over a swept key, and their figures."""
