"""Pieces for migrations that change a constraint by hand and record it in the model state.

Tortoise's AlterField on SQLite rebuilds the table and loses its unique constraints, and it has
no composite foreign keys; the migrations that need either write the SQL themselves and use
these to keep the state (and `makemigrations`) in step. Not a migration: the loader skips `_`.
"""

from typing import Any

from tortoise import fields
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


def is_postgres(state_editor: Any) -> bool:
    return bool(state_editor.client.capabilities.dialect == "postgres")


class AlterFieldInState(ops.AlterField):
    """AlterField without its schema change: the migration's RunPython does that part."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None


def unconstrained(model: str, source_field: str, to_field: str = "id") -> fields.ForeignKeyField:
    """The ForeignKeyField as the models declare it once its database constraint is gone."""
    return fields.ForeignKeyField(
        model,
        source_field=source_field,
        db_constraint=False,
        to_field=to_field,
        related_name=False,
        on_delete=OnDelete.RESTRICT,
    )
