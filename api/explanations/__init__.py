"""Explanations of charges (issue 14): UsageEvent.explanation and InvoiceLine.explanation."""
