"""Benchmarks of Формуляр (run as modules: ``python -m bench.search``)."""
