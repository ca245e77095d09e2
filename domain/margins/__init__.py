"""Margins (DESIGN.md §1.7): what usage earns the agency, read from the hourly rollups."""
