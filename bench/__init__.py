"""Benchmarks for the marketplace: scripts, not timed tests.

Run `python -m bench --help`. Every figure is reported next to a reference measured
in the same run (ratios), because the machine is shared and noisy. See docs/benchmarks.md.
"""
