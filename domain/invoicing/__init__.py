"""Invoices (DESIGN.md §1.6): what a closed period bills a source, its lifecycle and its money.

Pure: the stored shape of an invoice and its lines (``invoice``), the totals and the rounding of
what is collected (``totals``), the lifecycle (``lifecycle``), numbering (``numbering``) and the
view a document or an export is made from (``document``).
"""
