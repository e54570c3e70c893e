"""Wan 2.7 Reference-to-Video Studio."""

__version__ = "0.1.0"
