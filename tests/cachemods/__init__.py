"""Modules for tests/test_cache.py: values that functions read through attributes."""
