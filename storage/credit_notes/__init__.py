"""Credit notes as stored (storage/models/credit_notes.py), and what they did to invoices."""
