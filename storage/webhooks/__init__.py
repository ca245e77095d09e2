"""Webhook endpoints and their delivery log (services.webhooks); the wallet levels a
low-balance crossing is judged against (services.money_movement)."""
