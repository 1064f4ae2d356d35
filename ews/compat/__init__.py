"""Compatibility layers that reproduce other tools' numbers (quirks included), isolated here.

``ews.compat.earlywarnings``: the R package earlywarnings 1.1.29.
"""
