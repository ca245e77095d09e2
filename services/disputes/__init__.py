"""Disputes' use cases: open, review, comment, resolve, read and gather the evidence, each in
one transaction under the tenant's lock (services.money_movement), events to the outbox."""
