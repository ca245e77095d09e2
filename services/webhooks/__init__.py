"""Outbound webhooks (issue 13 item 4): tenants' endpoints (endpoints), what is sent to them
and when (delivery, registered with services.outbox_deliveries), resending (resend) and the
delivery log (log). The process's settings are in config."""
