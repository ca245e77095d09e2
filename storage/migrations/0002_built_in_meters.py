"""The built-in meters (DESIGN.md §1), present on every database after `rebill migrate`.

The rows are written out here rather than read from domain.meters, so this migration keeps
meaning what it meant when it was written.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

BUILT_IN = [
    ("message_response", "Message responses", "response", "EVENT"),
    ("ai_tokens", "AI provider tokens", "token", "EVENT"),
    ("user_seat", "User seats", "seat-hour", "HOURLY_GAUGE"),
    ("storage", "Storage", "MB-day", "HOURLY_GAUGE"),
    ("voice_minute", "Voice minutes", "minute", "EVENT"),
    ("sms_message", "SMS messages", "message", "EVENT"),
    ("chat_conversation", "Chat conversations", "conversation", "EVENT"),
    ("email_automation", "Email automations", "email", "EVENT"),
    ("workflow_run", "Workflow runs", "run", "EVENT"),
]

INSERT = [
    "INSERT INTO meters (code, name, unit, kind, built_in, created_at) "
    f"VALUES ('{code}', '{name}', '{unit}', '{kind}', TRUE, CURRENT_TIMESTAMP)"
    for code, name, unit, kind in BUILT_IN
]
DELETE = [f"DELETE FROM meters WHERE code = '{code}'" for code, *_ in BUILT_IN]


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [ops.RunSQL(INSERT, reverse_sql=DELETE)]
