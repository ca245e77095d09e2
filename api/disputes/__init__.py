"""The disputes area: disputes over invoice lines and usage events, their timeline, outcomes
and evidence (issue 14)."""
