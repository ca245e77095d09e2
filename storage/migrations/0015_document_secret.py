"""The signing key of document links, drawn once per database when none is configured.

OutboxDelivery's options catch up with its model (no schema change).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_outbox_deliveries')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DocumentSecret',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('secret', fields.CharField(max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'document_secrets', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The key that signs document links when REBILL_DOCUMENT_SECRET is not set: drawn once and'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='OutboxDelivery',
            options={'table': 'outbox_deliveries', 'app': 'models', 'unique_together': (('event_id', 'handler'),), 'pk_attr': 'id', 'table_description': 'One action that leaves the process (a Stripe call, an e-mail) for one committed event,'},
        ),
    ]
