"""Synthetic programs and the benchmark."""
