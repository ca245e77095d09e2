"""A tenant's margin floor: the margin percent under which a (source, meter) pair raises an alert.

`tenants.margin_floor_percent` holds basis points (hundredths of a percent: 2550 is 25.50 %) as an
integer, so the floor is exact, compares in SQL without parsing and never passes through a float.
NULL (every existing tenant) means no floor: no alerts.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0015_document_secret")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Tenant",
            name="margin_floor_basis_points",
            field=fields.IntField(null=True),
        ),
    ]
