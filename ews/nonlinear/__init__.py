"""Nonlinearity and flickering tests over TimeSeries rows (issue 8)."""
