"""Margin use cases: reports, floor alerts and leakage, each scoped to the caller."""
