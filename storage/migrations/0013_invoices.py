"""Invoices and their lines; a source's billing e-mail; the tenant's invoice number sequence.

Two indexes are partial, which Tortoise's index types cannot say, so they are plain SQL (the same
on SQLite and PostgreSQL): at most one invoice per (source, period) that is not VOID, which is
what makes a second close create nothing; and the late events of a period, which the close reads
by the period they were rated into rather than by when they occurred.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus, PaymentState
from domain.tenancy import BillingMode
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

LIVE_INVOICE_INDEX = (
    "CREATE UNIQUE INDEX invoices_one_live_per_period ON invoices (source_id, period_start) "
    "WHERE status <> 'VOID'"
)
LATE_EVENTS_INDEX = (
    "CREATE INDEX usage_events_late ON usage_events (tenant_id, period_start, source_id) "
    "WHERE late"
)


class Migration(migrations.Migration):
    dependencies = [('models', '0012_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Invoice',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('period_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('period_end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=InvoiceStatus.DRAFT, description='DRAFT: DRAFT\nFINALIZED: FINALIZED\nPAID: PAID\nVOID: VOID', enum_type=InvoiceStatus, max_length=16)),
                ('currency', fields.CharField(max_length=3)),
                ('billing_mode', fields.CharEnumField(description='PREPAID_WALLET: PREPAID_WALLET\nPOSTPAID_INVOICE: POSTPAID_INVOICE', enum_type=BillingMode, max_length=16)),
                ('sequence', fields.IntField(null=True)),
                ('number', fields.CharField(null=True, max_length=40)),
                ('subtotal_micros', fields.BigIntField(default=0)),
                ('total_micros', fields.BigIntField(default=0)),
                ('paid_from_wallet_micros', fields.BigIntField(default=0)),
                ('amount_due_micros', fields.BigIntField(default=0)),
                ('rounding_micros', fields.BigIntField(default=0)),
                ('wholesale_micros', fields.BigIntField(default=0)),
                ('settled_micros', fields.BigIntField(default=0)),
                ('branding', fields.TextField(null=True, unique=False)),
                ('replaces_id', fields.UUIDField(null=True)),
                ('replaced_by_id', fields.UUIDField(null=True)),
                ('payment_state', fields.CharEnumField(default=PaymentState.NONE, description='NONE: NONE\nPENDING: PENDING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=PaymentState, max_length=16)),
                ('payment_intent_id', fields.CharField(null=True, max_length=255)),
                ('payment_failure_code', fields.CharField(null=True, max_length=255)),
                ('payment_failure_message', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('issued_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finalized_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('voided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invoices', 'app': 'models', 'unique_together': (('tenant', 'sequence'), ('tenant', 'number')), 'indexes': [Index(fields=['tenant_id', 'period_start', 'id']), Index(fields=['tenant_id', 'source_id', 'period_start'])], 'pk_attr': 'id', 'table_description': "One source's invoice for one billing period."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvoiceLine',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('kind', fields.CharEnumField(description='USAGE: USAGE\nACCRUAL: ACCRUAL\nFLAT_FEE: FLAT_FEE\nLATE_USAGE: LATE_USAGE\nADJUSTMENT: ADJUSTMENT', enum_type=InvoiceLineKind, max_length=16)),
                ('description', fields.CharField(max_length=500)),
                ('meter_id', fields.CharField(null=True, max_length=64)),
                ('rate_line_id', fields.BigIntField(null=True)),
                ('quantity_micros', fields.BigIntField()),
                ('amount_micros', fields.BigIntField()),
                ('wholesale_micros', fields.BigIntField()),
            ],
            options={'table': 'invoice_lines', 'app': 'models', 'unique_together': (('invoice', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Source',
            name='billing_email',
            field=fields.CharField(null=True, max_length=320),
        ),
        ops.AddField(
            model_name='Tenant',
            name='invoice_sequence',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunSQL(LIVE_INVOICE_INDEX, reverse_sql="DROP INDEX invoices_one_live_per_period"),
        ops.RunSQL(LATE_EVENTS_INDEX, reverse_sql="DROP INDEX usage_events_late"),
    ]
