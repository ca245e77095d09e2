from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_usage_and_ledger')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Accrual',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('meter', fields.ForeignKeyField('models.Meter', source_field='meter_id', db_constraint=True, to_field='code', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('hour', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('period_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('quantity_micros', fields.BigIntField()),
                ('wholesale_micros', fields.BigIntField()),
                ('wholesale_rate_line_id', fields.BigIntField(null=True)),
                ('wholesale_transaction_id', fields.BigIntField(null=True)),
                ('retail_micros', fields.BigIntField()),
                ('retail_rate_line_id', fields.BigIntField(null=True)),
                ('retail_transaction_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'accruals', 'app': 'models', 'unique_together': (('source', 'meter', 'hour'),), 'indexes': [Index(fields=['tenant_id', 'hour'])], 'pk_attr': 'id', 'table_description': "One gauge's rated hour for one source: unique per (source, meter, hour)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccruedHour',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('hour', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sources', fields.IntField()),
                ('accrued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'accrued_hours', 'app': 'models', 'unique_together': (('tenant', 'hour'),), 'pk_attr': 'id', 'table_description': 'A tenant-hour whose accrual is recorded: the gate that makes a re-run a no-op.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FlatFee',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('rate_line', fields.ForeignKeyField('models.RateLine', source_field='rate_line_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('settlement_side', fields.CharField(max_length=16)),
                ('period_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('charged_hour', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('active_hours', fields.IntField()),
                ('period_hours', fields.IntField()),
                ('amount_micros', fields.BigIntField()),
                ('transaction_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'flat_fees', 'app': 'models', 'unique_together': (('source', 'rate_line', 'period_start'),), 'pk_attr': 'id', 'table_description': 'A FLAT line charged to one source for one billing period: unique, so charged once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GaugeChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('meter', fields.ForeignKeyField('models.Meter', source_field='meter_id', db_constraint=True, to_field='code', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('level_micros', fields.BigIntField()),
                ('effective_us', fields.BigIntField()),
                ('until_us', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('created_by_key_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'gauge_changes', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'until_us']), Index(fields=['source_id', 'meter_id', 'effective_us'])], 'pk_attr': 'id', 'table_description': 'A level of an hourly gauge (seats, storage MB) from ``effective_us`` until ``until_us``.'},
            bases=['Model'],
        ),
    ]
