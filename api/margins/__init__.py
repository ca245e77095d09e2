"""The margins area: margin reports, margin-floor alerts and leakage (DESIGN.md §1.7)."""
