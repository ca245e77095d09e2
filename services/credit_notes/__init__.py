"""Credit notes: issuing one with its money (issue.py), refunding it through Stripe (refund.py)."""
