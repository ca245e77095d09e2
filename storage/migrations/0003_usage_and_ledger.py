from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.rate_card import Settlement
from domain.wallet.ledger import TransactionKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_built_in_meters')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RunningTotal',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('rate_line', fields.ForeignKeyField('models.RateLine', source_field='rate_line_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('period_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('state', fields.TextField(unique=False)),
                ('total_micros', fields.BigIntField()),
            ],
            options={'table': 'running_totals', 'app': 'models', 'unique_together': (('source', 'rate_line', 'period_start'),), 'pk_attr': 'id', 'table_description': 'The running state of one rate line for one source in one billing period (DESIGN §1.2).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UsageEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('meter', fields.ForeignKeyField('models.Meter', source_field='meter_id', db_constraint=True, to_field='code', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('idempotency_key', fields.CharField(max_length=255)),
                ('payload_hash', fields.CharField(max_length=64)),
                ('quantity_micros', fields.BigIntField()),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('provider_cost_micros', fields.BigIntField(null=True)),
                ('amount_micros', fields.BigIntField(null=True)),
                ('properties', fields.TextField(null=True, unique=False)),
                ('period_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('late', fields.BooleanField(default=False)),
                ('wholesale_micros', fields.BigIntField()),
                ('wholesale_settlement', fields.CharEnumField(null=True, description='WALLET: WALLET\nEXTERNAL: EXTERNAL', enum_type=Settlement, max_length=16)),
                ('wholesale_rate_card_id', fields.UUIDField(null=True)),
                ('wholesale_rate_card_version', fields.IntField(null=True)),
                ('wholesale_rate_line_id', fields.BigIntField(null=True)),
                ('wholesale_transaction_id', fields.BigIntField(null=True)),
                ('retail_micros', fields.BigIntField()),
                ('retail_settlement', fields.CharEnumField(null=True, description='WALLET: WALLET\nEXTERNAL: EXTERNAL', enum_type=Settlement, max_length=16)),
                ('retail_rate_card_id', fields.UUIDField(null=True)),
                ('retail_rate_card_version', fields.IntField(null=True)),
                ('retail_rate_line_id', fields.BigIntField(null=True)),
                ('retail_transaction_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'usage_events', 'app': 'models', 'unique_together': (('tenant', 'idempotency_key'),), 'indexes': [Index(fields=['tenant_id', 'occurred_at', 'id']), Index(fields=['tenant_id', 'source_id', 'occurred_at', 'id']), Index(fields=['wholesale_transaction_id']), Index(fields=['retail_transaction_id'])], 'pk_attr': 'id', 'table_description': 'One reported event, rated twice. Unique per (tenant, idempotency key).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UsageRollup',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('meter', fields.ForeignKeyField('models.Meter', source_field='meter_id', db_constraint=True, to_field='code', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('hour', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('quantity_micros', fields.BigIntField(default=0)),
                ('events', fields.IntField(default=0)),
                ('wholesale_micros', fields.BigIntField(default=0)),
                ('retail_micros', fields.BigIntField(default=0)),
                ('provider_cost_micros', fields.BigIntField(default=0)),
            ],
            options={'table': 'usage_rollups', 'app': 'models', 'unique_together': (('tenant', 'source', 'meter', 'hour'),), 'pk_attr': 'id', 'table_description': 'Hourly totals per (tenant, source, meter, hour), kept in the same transaction as usage.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WalletTransaction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('wallet', fields.ForeignKeyField('models.Wallet', source_field='wallet_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='TOP_UP: TOP_UP\nAUTO_RELOAD: AUTO_RELOAD\nUSAGE: USAGE\nACCRUAL: ACCRUAL\nFLAT_FEE: FLAT_FEE\nADJUSTMENT: ADJUSTMENT\nREFUND: REFUND', enum_type=TransactionKind, max_length=16)),
                ('amount_micros', fields.BigIntField()),
                ('balance_after_micros', fields.BigIntField()),
                ('description', fields.CharField(max_length=500)),
                ('reference', fields.CharField(null=True, max_length=255)),
                ('idempotency_key', fields.CharField(null=True, max_length=255)),
                ('payload_hash', fields.CharField(null=True, max_length=64)),
                ('created_by_key_id', fields.UUIDField(null=True)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wallet_transactions', 'app': 'models', 'unique_together': (('wallet', 'idempotency_key'),), 'indexes': [Index(fields=['wallet_id', 'occurred_at', 'id'])], 'pk_attr': 'id', 'table_description': "The append-only ledger: a wallet's balance is the sum of its transactions."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Source',
            name='suspended_for_balance',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
