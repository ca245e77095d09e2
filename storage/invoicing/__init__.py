"""Invoices in storage: the period close, reads and the frozen periods ingestion asks about."""
