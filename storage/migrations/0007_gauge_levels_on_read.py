"""Sources no longer cache their gauge levels: Source.seats / storageMegabytes are read from
gauge_changes at request time, so `sources.seats` and `sources.storage_micro_mb` go.

The columns are dropped with a plain ALTER TABLE … DROP COLUMN on both backends (SQLite has it
since 3.35). Tortoise's RemoveField rebuilds the table on SQLite instead, which fails once
wallets or gauge changes refer to a source (foreign keys are on) and would lose the table's
unique (tenant_id, external_id) constraint and its index. So RemoveField here only updates the
migration state. Reversing re-adds the columns at 0.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

DROP = [
    "ALTER TABLE sources DROP COLUMN seats",
    "ALTER TABLE sources DROP COLUMN storage_micro_mb",
]
ADD = [
    "ALTER TABLE sources ADD COLUMN seats INT NOT NULL DEFAULT 0",
    "ALTER TABLE sources ADD COLUMN storage_micro_mb BIGINT NOT NULL DEFAULT 0",
]


class RemoveFieldFromState(ops.RemoveField):
    """RemoveField without its schema change: the RunSQL above it drops the column."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [("models", "0006_auto_reload")]

    initial = False

    operations = [
        ops.RunSQL(DROP, reverse_sql=ADD),
        RemoveFieldFromState(model_name="Source", name="seats"),
        RemoveFieldFromState(model_name="Source", name="storage_micro_mb"),
    ]
