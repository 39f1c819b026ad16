"""Benchmarks: each module runs on its own (``python -m bench.NAME``) and prints a table;
``python -m bench`` (``make bench``) runs them all."""
