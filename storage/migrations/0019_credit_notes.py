"""Credit notes and their lines; the tenant's credit note number sequence.

A note's number is unique per tenant, as its sequence is (gapless: the issuing transaction moves
tenants.credit_note_sequence). No foreign key leaves the two tables but the lines' to their note
(see storage/models/credit_notes.py); dispute_id refers to migration 0020's disputes, by value.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.credit_notes.note import RefundState, Settlement
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0018_margin_rollup_index")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CreditNote",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("tenant_id", fields.UUIDField()),
                ("source_id", fields.UUIDField()),
                ("invoice_id", fields.UUIDField()),
                ("sequence", fields.IntField()),
                ("number", fields.CharField(max_length=40)),
                ("currency", fields.CharField(max_length=3)),
                ("total_micros", fields.BigIntField()),
                ("reason", fields.TextField(unique=False)),
                (
                    "settlement",
                    fields.CharEnumField(
                        description="WALLET_CREDIT: WALLET_CREDIT\nAMOUNT_DUE_REDUCED: AMOUNT_DUE_REDUCED\nSTRIPE_REFUND: STRIPE_REFUND\nREFUND_OUTSIDE: REFUND_OUTSIDE",
                        enum_type=Settlement,
                        max_length=24,
                    ),
                ),
                (
                    "refund_state",
                    fields.CharEnumField(
                        default=RefundState.NONE,
                        description="NONE: NONE\nPENDING: PENDING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED",
                        enum_type=RefundState,
                        max_length=16,
                    ),
                ),
                ("stripe_refund_id", fields.CharField(null=True, max_length=255)),
                ("refund_failure_message", fields.TextField(null=True, unique=False)),
                ("wallet_transaction_id", fields.BigIntField(null=True)),
                ("dispute_id", fields.UUIDField(null=True)),
                ("branding", fields.TextField(unique=False)),
                ("issued_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "credit_notes",
                "app": "models",
                "unique_together": (("tenant_id", "sequence"), ("tenant_id", "number")),
                "indexes": [
                    Index(fields=["tenant_id", "created_at", "id"]),
                    Index(fields=["invoice_id"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CreditNoteLine",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "credit_note",
                    fields.ForeignKeyField(
                        "models.CreditNote",
                        source_field="credit_note_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField()),
                ("invoice_line_id", fields.BigIntField()),
                ("description", fields.CharField(max_length=500)),
                ("amount_micros", fields.BigIntField()),
            ],
            options={
                "table": "credit_note_lines",
                "app": "models",
                "unique_together": (("credit_note", "position"),),
                "indexes": [Index(fields=["invoice_line_id"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Tenant",
            name="credit_note_sequence",
            field=fields.IntField(default=0, db_default=0),
        ),
    ]
