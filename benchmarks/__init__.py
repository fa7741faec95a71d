"""Benchmarks: each bench_<name>.py measures one promise and records it with record_results()."""
