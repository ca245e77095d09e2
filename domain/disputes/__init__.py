"""Disputes (issue 14 items 3 and 4): a client questions charges, the tenant settles them.

Pure: the dispute as stored, its lifecycle, what a valid opening or resolution is, the outbound
events and the evidence file. Storage and services do the I/O.
"""
