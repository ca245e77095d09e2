from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.wallet.reloads import ReloadStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_stripe')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WalletReload',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('wallet', fields.ForeignKeyField('models.Wallet', source_field='wallet_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('amount_micros', fields.BigIntField()),
                ('currency', fields.CharField(max_length=3)),
                ('month_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nSTARTED: STARTED\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED\nSKIPPED: SKIPPED', enum_type=ReloadStatus, max_length=16)),
                ('payment_intent_id', fields.CharField(null=True, unique=True, max_length=255)),
                ('failure_message', fields.CharField(null=True, max_length=500)),
                ('decline_code', fields.CharField(null=True, max_length=100)),
                ('credited_transaction_id', fields.BigIntField(null=True)),
                ('refunded_micros', fields.BigIntField(default=0, db_default=0)),
                ('refunded_transaction_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'wallet_reloads', 'app': 'models', 'indexes': [Index(fields=['status', 'created_at']), Index(fields=['wallet_id', 'month_start'])], 'pk_attr': 'id', 'table_description': 'An auto-reload: claimed by the debit that crossed the threshold, started by a worker.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Wallet',
            name='auto_reload_armed',
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
