"""Disputes' storage: rows written in the dispute's unit of work, caller-scoped reads, and the
evidence rows."""
