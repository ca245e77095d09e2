from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.wallet.top_ups import TopUpStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_accrual')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StripeEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=255)),
                ('type', fields.CharField(max_length=255)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('object_id', fields.CharField(null=True, max_length=255)),
                ('stripe_created_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('processed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'stripe_events', 'app': 'models', 'indexes': [Index(fields=['object_id', 'type'])], 'pk_attr': 'id', 'table_description': 'A Stripe event id, recorded in the same transaction as its effect: processed once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StripeTopUp',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('wallet', fields.ForeignKeyField('models.Wallet', source_field='wallet_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('amount_micros', fields.BigIntField()),
                ('currency', fields.CharField(max_length=3)),
                ('idempotency_key', fields.CharField(max_length=255)),
                ('payload_hash', fields.CharField(max_length=64)),
                ('connected_account_id', fields.CharField(null=True, max_length=255)),
                ('payment_intent_id', fields.CharField(null=True, unique=True, max_length=255)),
                ('client_secret', fields.CharField(null=True, max_length=500)),
                ('status', fields.CharEnumField(description='REQUIRES_PAYMENT: REQUIRES_PAYMENT\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED\nREFUNDED: REFUNDED', enum_type=TopUpStatus, max_length=24)),
                ('failure_message', fields.CharField(null=True, max_length=500)),
                ('decline_code', fields.CharField(null=True, max_length=100)),
                ('credited_transaction_id', fields.BigIntField(null=True)),
                ('refunded_transaction_id', fields.BigIntField(null=True)),
                ('refunded_micros', fields.BigIntField(default=0)),
                ('created_by_key_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'stripe_top_ups', 'app': 'models', 'unique_together': (('wallet', 'idempotency_key'),), 'indexes': [Index(fields=['tenant_id', 'created_at', 'id'])], 'pk_attr': 'id', 'table_description': 'A wallet top-up paid by Stripe: one PaymentIntent, credited once when it succeeds.'},
            bases=['Model'],
        ),
    ]
