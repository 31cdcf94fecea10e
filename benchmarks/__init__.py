"""Speed and size measurements: never asserted in tests; figures go to docs/benchmarks.md."""
