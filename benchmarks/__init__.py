"""Benchmarks (not tests): Lintra and JAX side by side. `python -m benchmarks --help`."""
