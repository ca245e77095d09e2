"""usage_events refers to its source by (tenant_id, source_id) on PostgreSQL.

One constraint where there were two (tenant_id -> tenants, source_id -> sources), and a stronger
one: an event's tenant must be its source's tenant, which the two separate keys let slip. The
tenant itself is held by sources.tenant_id's own key. Each key is a per-row trigger on the
ingestion insert, so one fewer is ~2 ms of a 1,000-event batch (docs/decisions.md).

SQLite keeps its two keys: replacing them means rebuilding the table, which Tortoise's AlterField
does by losing the unique constraints; a trigger holds the agreement there instead. So the state
only learns that the ORM no longer declares them. On PostgreSQL the key is added NOT VALID and
then validated, so a large table stays writable meanwhile.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from storage.migrations._state_only import AlterFieldInState, is_postgres, unconstrained

FORWARD = """
ALTER TABLE sources ADD CONSTRAINT sources_tenant_id_id_key UNIQUE (tenant_id, id);
ALTER TABLE usage_events DROP CONSTRAINT IF EXISTS usage_events_tenant_id_fkey;
ALTER TABLE usage_events DROP CONSTRAINT IF EXISTS usage_events_source_id_fkey;
ALTER TABLE usage_events ADD CONSTRAINT usage_events_tenant_source_fkey
    FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id)
    ON DELETE RESTRICT NOT VALID;
ALTER TABLE usage_events VALIDATE CONSTRAINT usage_events_tenant_source_fkey;
"""

BACKWARD = """
ALTER TABLE usage_events DROP CONSTRAINT IF EXISTS usage_events_tenant_source_fkey;
ALTER TABLE usage_events ADD CONSTRAINT usage_events_tenant_id_fkey
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE RESTRICT;
ALTER TABLE usage_events ADD CONSTRAINT usage_events_source_id_fkey
    FOREIGN KEY (source_id) REFERENCES sources (id) ON DELETE RESTRICT;
ALTER TABLE sources DROP CONSTRAINT IF EXISTS sources_tenant_id_id_key;
"""


SQLITE_FORWARD = """
CREATE TRIGGER usage_events_source_of_tenant BEFORE INSERT ON usage_events
WHEN NOT EXISTS (SELECT 1 FROM sources WHERE id = NEW.source_id AND tenant_id = NEW.tenant_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: the source is not of the tenant');
END;
"""

SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS usage_events_source_of_tenant;"


async def refer_by_tenant_and_source(apps, state_editor) -> None:
    postgres = is_postgres(state_editor)
    await state_editor.client.execute_script(FORWARD if postgres else SQLITE_FORWARD)


async def refer_separately(apps, state_editor) -> None:
    postgres = is_postgres(state_editor)
    await state_editor.client.execute_script(BACKWARD if postgres else SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("models", "0008_derived_tables_without_foreign_keys")]

    initial = False

    operations = [
        ops.RunPython(refer_by_tenant_and_source, refer_separately),
        AlterFieldInState(
            model_name="UsageEvent",
            name="source",
            field=unconstrained("models.Source", "source_id"),
        ),
        AlterFieldInState(
            model_name="UsageEvent",
            name="tenant",
            field=unconstrained("models.Tenant", "tenant_id"),
        ),
    ]
