"""Explaining charges (issue 14): which card, version and line priced an event, the line's
state and rounded total before and after it, the parts it changed, and one plain sentence.
Pure: storage brings the recorded lines and the events in rating order."""

from domain.explanations.charge import LineEvent, changed_parts, explain_charge, explain_line_events
from domain.explanations.explanation import (
    ChargeExplanation,
    ChargeSide,
    PartChange,
    PricedLine,
    UsageExplanation,
)

__all__ = [
    "ChargeExplanation",
    "ChargeSide",
    "LineEvent",
    "PartChange",
    "PricedLine",
    "UsageExplanation",
    "changed_parts",
    "explain_charge",
    "explain_line_events",
]
