"""Meters: the kinds of usage Rebill prices (DESIGN.md §1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# \Z, not $: `$` also matches before a final newline.
METER_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}\Z")


class MeterKind(StrEnum):
    EVENT = "EVENT"
    HOURLY_GAUGE = "HOURLY_GAUGE"


@dataclass(frozen=True, slots=True)
class MeterDefinition:
    code: str
    name: str
    unit: str
    kind: MeterKind


MESSAGE_RESPONSE = "message_response"
AI_TOKENS = "ai_tokens"
USER_SEAT = "user_seat"
STORAGE = "storage"

BUILT_IN_METERS: tuple[MeterDefinition, ...] = (
    MeterDefinition(MESSAGE_RESPONSE, "Message responses", "response", MeterKind.EVENT),
    MeterDefinition(AI_TOKENS, "AI provider tokens", "token", MeterKind.EVENT),
    MeterDefinition(USER_SEAT, "User seats", "seat-hour", MeterKind.HOURLY_GAUGE),
    MeterDefinition(STORAGE, "Storage", "MB-day", MeterKind.HOURLY_GAUGE),
    MeterDefinition("voice_minute", "Voice minutes", "minute", MeterKind.EVENT),
    MeterDefinition("sms_message", "SMS messages", "message", MeterKind.EVENT),
    MeterDefinition("chat_conversation", "Chat conversations", "conversation", MeterKind.EVENT),
    MeterDefinition("email_automation", "Email automations", "email", MeterKind.EVENT),
    MeterDefinition("workflow_run", "Workflow runs", "run", MeterKind.EVENT),
)
