"""Benchmark data (`manage.py seed_bench`) and the benchmark itself (`manage.py bench`)."""
