"""running_totals and usage_rollups lose their foreign-key constraints on PostgreSQL.

Both tables are derived from usage_events and accruals, whose own constraints hold the same
references; a constraint here is a per-row trigger on the hottest writes of ingestion and the
hourly accrual (docs/decisions.md). SQLite keeps them: its checks cost little, and dropping one
means rebuilding the table, which Tortoise's AlterField does by losing the unique constraints.
So AlterField here only updates the migration state.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from storage.migrations._state_only import AlterFieldInState, is_postgres
from storage.migrations._state_only import unconstrained as _unconstrained

CONSTRAINTS = {
    "running_totals": (
        ("tenant_id", "tenants"),
        ("source_id", "sources"),
        ("rate_line_id", "rate_lines"),
    ),
    "usage_rollups": (("tenant_id", "tenants"), ("source_id", "sources"), ("meter_id", "meters")),
}


async def drop_constraints(apps, state_editor) -> None:
    if not is_postgres(state_editor):
        return
    for table, columns in CONSTRAINTS.items():
        for column, _ in columns:
            await state_editor.client.execute_script(
                f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_{column}_fkey"
            )


async def add_constraints(apps, state_editor) -> None:
    if not is_postgres(state_editor):
        return
    for table, columns in CONSTRAINTS.items():
        for column, target in columns:
            key = "code" if target == "meters" else "id"
            await state_editor.client.execute_script(
                f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fkey FOREIGN KEY ({column}) "
                f"REFERENCES {target}({key}) ON DELETE RESTRICT"
            )


class Migration(migrations.Migration):
    dependencies = [("models", "0007_gauge_levels_on_read")]

    initial = False

    operations = [
        ops.RunPython(drop_constraints, add_constraints),
        AlterFieldInState(
            model_name="RunningTotal",
            name="rate_line",
            field=_unconstrained("models.RateLine", "rate_line_id"),
        ),
        AlterFieldInState(
            model_name="RunningTotal",
            name="source",
            field=_unconstrained("models.Source", "source_id"),
        ),
        AlterFieldInState(
            model_name="RunningTotal",
            name="tenant",
            field=_unconstrained("models.Tenant", "tenant_id"),
        ),
        AlterFieldInState(
            model_name="UsageRollup",
            name="meter",
            field=_unconstrained("models.Meter", "meter_id", to_field="code"),
        ),
        AlterFieldInState(
            model_name="UsageRollup",
            name="source",
            field=_unconstrained("models.Source", "source_id"),
        ),
        AlterFieldInState(
            model_name="UsageRollup",
            name="tenant",
            field=_unconstrained("models.Tenant", "tenant_id"),
        ),
    ]
