"""Benchmarks for Tydligt: `python -m bench` (or `make bench`).

Each benchmark measures the app against a baseline taken in the same run (these
machines are shared and noisy), prints a short table of medians and, with `--record`,
writes docs/benchmarks.md. They are not tests: tests/system/test_bench.py only checks that
each one runs at `--size tiny`.
"""
