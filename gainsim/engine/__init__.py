"""The engine: the simpy stream, the per-packet simulation of every policy, replicas on one or more processes, and their aggregation into results."""
