"""Invoice numbers: the tenant's prefix and its gapless sequence (DESIGN.md §1.6).

The sequence is a counter on the tenant, moved by the finalizing transaction itself, so a rolled
back finalization gives its number back and two concurrent ones are serialised by the counter's
row: no gap, no duplicate (and a unique index says so).
"""

from __future__ import annotations

# Six digits sort and read well for a million invoices a tenant; longer numbers simply grow.
SEQUENCE_DIGITS = 6


def invoice_number(prefix: str, sequence: int) -> str:
    if sequence < 1:
        raise ValueError(f"invoice sequences start at 1, not {sequence}")
    return f"{prefix}{sequence:0{SEQUENCE_DIGITS}d}"
