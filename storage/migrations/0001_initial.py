from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.access import Role
from domain.meters import MeterKind
from domain.rate_card import RateCardKind, Settlement
from domain.tenancy import BillingMode, InvoiceApproval, SourceStatus, StripeStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    # Reordered by hand from the generated (alphabetical) order: on SQLite a foreign-key column
    # is only created when the table it references already exists, so every table comes after
    # the tables it references, and the one cycle (rate_cards <-> tenants) is closed by AddField
    # and the index on the added column.
    operations = [
        ops.CreateModel(
            name='Meter',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('unit', fields.CharField(max_length=64)),
                ('kind', fields.CharEnumField(description='EVENT: EVENT\nHOURLY_GAUGE: HOURLY_GAUGE', enum_type=MeterKind, max_length=16)),
                ('built_in', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'meters', 'app': 'models', 'pk_attr': 'code'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateCard',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='WHOLESALE: WHOLESALE\nRETAIL: RETAIL', enum_type=RateCardKind, max_length=16)),
                ('currency', fields.CharField(max_length=3)),
                ('default_for_currency', fields.CharField(null=True, unique=True, max_length=3)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'rate_cards', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tenant',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('slug', fields.CharField(unique=True, max_length=63)),
                ('currency', fields.CharField(max_length=3)),
                ('rebilling_enabled', fields.BooleanField(default=False)),
                ('stripe_account_id', fields.CharField(null=True, unique=True, max_length=255)),
                ('stripe_status', fields.CharEnumField(default=StripeStatus.NOT_CONNECTED, description='NOT_CONNECTED: NOT_CONNECTED\nPENDING: PENDING\nACTIVE: ACTIVE\nRESTRICTED: RESTRICTED', enum_type=StripeStatus, max_length=16)),
                ('stripe_charges_enabled', fields.BooleanField(default=False)),
                ('display_name', fields.CharField(max_length=200)),
                ('logo_url', fields.CharField(null=True, max_length=2048)),
                ('primary_color', fields.CharField(null=True, max_length=7)),
                ('support_email', fields.CharField(null=True, max_length=320)),
                ('invoice_footer', fields.CharField(null=True, max_length=2000)),
                ('invoice_approval', fields.CharEnumField(default=InvoiceApproval.MANUAL, description='MANUAL: MANUAL\nAUTOMATIC: AUTOMATIC', enum_type=InvoiceApproval, max_length=16)),
                ('grace_period_hours', fields.IntField(default=72)),
                ('payment_terms_days', fields.IntField(default=14)),
                ('invoice_number_prefix', fields.CharField(default='INV-', max_length=20)),
                ('wholesale_rate_card', fields.ForeignKeyField('models.RateCard', source_field='wholesale_rate_card_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('default_rate_card', fields.ForeignKeyField('models.RateCard', source_field='default_rate_card_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tenants', 'app': 'models', 'indexes': [Index(fields=['created_at', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        # rate_cards.tenant_id is added after tenants exists: the two tables refer to each other.
        ops.AddField(model_name='RateCard', name='tenant', field=fields.ForeignKeyField('models.Tenant', source_field='tenant_id', null=True, db_constraint=True, to_field='id', related_name='rate_cards', on_delete=OnDelete.RESTRICT)),
        ops.AddIndex(model_name='RateCard', index=Index(fields=['tenant_id', 'created_at', 'id'])),
        ops.CreateModel(
            name='RateCardVersion',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rate_card', fields.ForeignKeyField('models.RateCard', source_field='rate_card_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.RESTRICT)),
                ('version', fields.IntField()),
                ('effective_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'rate_card_versions', 'app': 'models', 'unique_together': (('rate_card', 'version'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateLine',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.ForeignKeyField('models.RateCardVersion', source_field='version_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.RESTRICT)),
                ('position', fields.IntField()),
                ('meter', fields.ForeignKeyField('models.Meter', source_field='meter_id', null=True, db_constraint=True, to_field='code', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('model', fields.CharField(max_length=16)),
                ('params', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('settlement', fields.CharEnumField(description='WALLET: WALLET\nEXTERNAL: EXTERNAL', enum_type=Settlement, max_length=16)),
                ('description', fields.CharField(null=True, max_length=500)),
            ],
            options={'table': 'rate_lines', 'app': 'models', 'unique_together': (('version', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Source',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='sources', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=200)),
                ('external_id', fields.CharField(null=True, max_length=200)),
                ('status', fields.CharEnumField(default=SourceStatus.ACTIVE, description='ACTIVE: ACTIVE\nSUSPENDED: SUSPENDED\nARCHIVED: ARCHIVED', enum_type=SourceStatus, max_length=16)),
                ('rebilling_enabled', fields.BooleanField(default=False)),
                ('billing_mode', fields.CharEnumField(default=BillingMode.PREPAID_WALLET, description='PREPAID_WALLET: PREPAID_WALLET\nPOSTPAID_INVOICE: POSTPAID_INVOICE', enum_type=BillingMode, max_length=16)),
                ('rate_card', fields.ForeignKeyField('models.RateCard', source_field='rate_card_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('stripe_customer_id', fields.CharField(null=True, max_length=255)),
                ('seats', fields.IntField(default=0)),
                ('storage_micro_mb', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'sources', 'app': 'models', 'unique_together': (('tenant', 'external_id'),), 'indexes': [Index(fields=['tenant_id', 'created_at', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Wallet',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='wallets', on_delete=OnDelete.RESTRICT)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', null=True, db_constraint=True, to_field='id', related_name='wallets', on_delete=OnDelete.RESTRICT)),
                ('owner_id', fields.UUIDField(unique=True)),
                ('currency', fields.CharField(max_length=3)),
                ('balance_micros', fields.BigIntField(default=0)),
                ('credit_limit_micros', fields.BigIntField(default=0)),
                ('low_balance_threshold_micros', fields.BigIntField(null=True)),
                ('auto_reload_enabled', fields.BooleanField(default=False)),
                ('auto_reload_threshold_micros', fields.BigIntField(null=True)),
                ('auto_reload_amount_micros', fields.BigIntField(null=True)),
                ('auto_reload_monthly_cap_micros', fields.BigIntField(null=True)),
                ('payment_method_id', fields.CharField(null=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'wallets', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'source_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('role', fields.CharEnumField(description='PLATFORM: PLATFORM\nTENANT: TENANT\nSOURCE: SOURCE', enum_type=Role, max_length=16)),
                ('prefix', fields.CharField(max_length=16)),
                ('secret_hash', fields.CharField(unique=True, max_length=64)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', null=True, db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.RESTRICT)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', null=True, db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_keys', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'created_at', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
