"""Invoices (DESIGN.md §1.6), one module per action: close a period, finalize, void, mark paid,
send, preview, read, export. Each money-moving action is one MoneyMovement unit of work."""
