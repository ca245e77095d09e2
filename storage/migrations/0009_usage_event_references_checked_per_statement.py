"""usage_events checks what its rows name once per statement on PostgreSQL, not once per row.

A foreign key is a per-row trigger: on a 1,000-event insert the keys on (tenant_id), (source_id)
and (meter_id) took 10 ms of its 20 (docs/decisions.md). Instead, one trigger per INSERT or
UPDATE statement does what those keys did, set-wise, over the statement's new rows:

- for each distinct source and meter they name, it locks the row FOR KEY SHARE, as a foreign
  key does, so neither can be deleted or re-keyed until the transaction ends;
- it requires as many rows locked as named: each source must exist *and be of the event's
  tenant*, which the separate keys let slip (the tenant itself is held by sources.tenant_id's own
  key), and each meter must exist; otherwise foreign_key_violation, as a key would raise.

On the other side, deleting or re-keying a source or meter that events name is refused, as
ON DELETE RESTRICT did. Locking before checking keeps both sides right under concurrency: a
delete waits for the inserting transaction and then sees its events, and an insert waits for a
deleting one and then finds the row gone.

SQLite keeps its per-row keys (its checks cost little, and dropping one means rebuilding the
table, which Tortoise's AlterField does by losing the unique constraints), plus triggers for
the tenant's agreement. So the state only learns that the ORM no longer declares the keys.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from storage.migrations._state_only import AlterFieldInState, is_postgres, unconstrained

FORWARD = """
CREATE FUNCTION usage_events_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    held bigint;
BEGIN
    -- Each distinct (tenant, source) once: locked if it exists, then counted.
    WITH named AS MATERIALIZED (SELECT DISTINCT tenant_id, source_id FROM new_events),
         locked AS (
             SELECT 1 FROM sources s JOIN named n ON s.id = n.source_id AND s.tenant_id = n.tenant_id
             FOR KEY SHARE OF s
         )
    SELECT (SELECT count(*) FROM named), (SELECT count(*) FROM locked) INTO wanted, held;
    IF held < wanted THEN
        RAISE EXCEPTION 'usage_events: an event names a source that is not of its tenant'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    WITH named AS MATERIALIZED (SELECT DISTINCT meter_id FROM new_events),
         locked AS (SELECT 1 FROM meters m JOIN named n ON m.code = n.meter_id FOR KEY SHARE OF m)
    SELECT (SELECT count(*) FROM named), (SELECT count(*) FROM locked) INTO wanted, held;
    IF held < wanted THEN
        RAISE EXCEPTION 'usage_events: an event names an unknown meter'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER usage_events_references_on_insert AFTER INSERT ON usage_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION usage_events_check_references();
CREATE TRIGGER usage_events_references_on_update AFTER UPDATE ON usage_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION usage_events_check_references();

CREATE FUNCTION sources_keep_usage_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM usage_events e WHERE e.tenant_id = OLD.tenant_id AND e.source_id = OLD.id
    ) THEN
        RAISE EXCEPTION 'sources: usage events name source %', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER sources_usage_references_on_delete BEFORE DELETE ON sources
    FOR EACH ROW EXECUTE FUNCTION sources_keep_usage_references();
CREATE TRIGGER sources_usage_references_on_update BEFORE UPDATE OF tenant_id, id ON sources
    FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION sources_keep_usage_references();

CREATE FUNCTION meters_keep_usage_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- No index on usage_events.meter_id: the catalogue's meters are not removed in normal use.
    IF EXISTS (SELECT 1 FROM usage_events e WHERE e.meter_id = OLD.code) THEN
        RAISE EXCEPTION 'meters: usage events name meter %', OLD.code
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER meters_usage_references_on_delete BEFORE DELETE ON meters
    FOR EACH ROW EXECUTE FUNCTION meters_keep_usage_references();
CREATE TRIGGER meters_usage_references_on_update BEFORE UPDATE OF code ON meters
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code)
    EXECUTE FUNCTION meters_keep_usage_references();

ALTER TABLE usage_events DROP CONSTRAINT IF EXISTS usage_events_tenant_id_fkey;
ALTER TABLE usage_events DROP CONSTRAINT IF EXISTS usage_events_source_id_fkey;
ALTER TABLE usage_events DROP CONSTRAINT IF EXISTS usage_events_meter_id_fkey;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS meters_usage_references_on_update ON meters;
DROP TRIGGER IF EXISTS meters_usage_references_on_delete ON meters;
DROP FUNCTION IF EXISTS meters_keep_usage_references();
DROP TRIGGER IF EXISTS sources_usage_references_on_update ON sources;
DROP TRIGGER IF EXISTS sources_usage_references_on_delete ON sources;
DROP FUNCTION IF EXISTS sources_keep_usage_references();
DROP TRIGGER IF EXISTS usage_events_references_on_update ON usage_events;
DROP TRIGGER IF EXISTS usage_events_references_on_insert ON usage_events;
DROP FUNCTION IF EXISTS usage_events_check_references();
ALTER TABLE usage_events ADD CONSTRAINT usage_events_tenant_id_fkey
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE RESTRICT;
ALTER TABLE usage_events ADD CONSTRAINT usage_events_source_id_fkey
    FOREIGN KEY (source_id) REFERENCES sources (id) ON DELETE RESTRICT;
ALTER TABLE usage_events ADD CONSTRAINT usage_events_meter_id_fkey
    FOREIGN KEY (meter_id) REFERENCES meters (code) ON DELETE RESTRICT;
"""

SQLITE_FORWARD = """
CREATE TRIGGER usage_events_source_of_tenant BEFORE INSERT ON usage_events
WHEN NOT EXISTS (SELECT 1 FROM sources WHERE id = NEW.source_id AND tenant_id = NEW.tenant_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: the source is not of the tenant');
END;
CREATE TRIGGER usage_events_source_of_tenant_on_update
BEFORE UPDATE OF tenant_id, source_id ON usage_events
WHEN NOT EXISTS (SELECT 1 FROM sources WHERE id = NEW.source_id AND tenant_id = NEW.tenant_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: the source is not of the tenant');
END;
CREATE TRIGGER sources_tenant_kept_for_usage BEFORE UPDATE OF tenant_id ON sources
WHEN OLD.tenant_id IS NOT NEW.tenant_id
    AND EXISTS (SELECT 1 FROM usage_events WHERE source_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: usage events name the source');
END;
"""

SQLITE_BACKWARD = """
DROP TRIGGER IF EXISTS sources_tenant_kept_for_usage;
DROP TRIGGER IF EXISTS usage_events_source_of_tenant_on_update;
DROP TRIGGER IF EXISTS usage_events_source_of_tenant;
"""


async def check_per_statement(apps, state_editor) -> None:
    postgres = is_postgres(state_editor)
    await state_editor.client.execute_script(FORWARD if postgres else SQLITE_FORWARD)


async def check_per_row(apps, state_editor) -> None:
    postgres = is_postgres(state_editor)
    await state_editor.client.execute_script(BACKWARD if postgres else SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("models", "0008_derived_tables_without_foreign_keys")]

    initial = False

    operations = [
        ops.RunPython(check_per_statement, check_per_row),
        AlterFieldInState(
            model_name="UsageEvent",
            name="meter",
            field=unconstrained("models.Meter", "meter_id", to_field="code"),
        ),
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
