"""Outbound webhooks' API: endpoints (create, list on Tenant, delete), resending an event, the
delivery log."""
