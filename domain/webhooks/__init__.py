"""Outbound webhooks (issue 13 item 4): the rules that need no I/O.

Which URLs and addresses an endpoint may have (urls, addresses), the event types it may ask for
(event_types), how a delivery is signed (signature) and its body (body), how failures are retried
(retries), and the values the other layers pass around (endpoint).
"""
