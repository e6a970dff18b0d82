"""Benchmarks of the lemlist provider through the real dynamic-provider host (issue #6).

``python -m bench`` runs every benchmark and prints Markdown tables; ``python -m
bench.throughput`` and ``python -m bench.preview`` run one each (``--help`` for options).
They print figures; they assert nothing about time. See docs/benchmarks.md for the results.
"""
