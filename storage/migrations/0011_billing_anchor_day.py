"""A tenant's billing anchor days: periods from an anchor day instead of the calendar month.

`tenants.billing_anchors` keeps every change of the anchor day as JSON, oldest first
(`[{"from": ISO instant, "day": 1-31}]`): a change takes effect at the end of the period in force
when it was made, and every past instant keeps the period it had (domain.billing.period). Existing
tenants get `[]`: calendar months in UTC, as before.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0010_ledger_sequence")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Tenant",
            name="billing_anchors",
            field=fields.TextField(default="[]", db_default="[]"),
        ),
    ]
