"""Benchmarks (not tests): each script prints its figures and the command that reproduces it."""
