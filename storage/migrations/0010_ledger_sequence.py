"""The ledger lists in the order balances moved: a per-wallet sequence number.

`wallets.ledger_sequence` counts the wallet's moves; the UPDATE that moves the balance increments
it under the row's lock and its RETURNING gives the new transaction's `sequence`, unique per
wallet. Ordering by `occurred_at` (the time the request arrived) broke the chain of
`balance_after` under concurrency: a request that arrived first could move the wallet second.

Existing rows are numbered in id order per wallet. Ids come from one sequence and are drawn by the
INSERT that follows the balance's UPDATE while that UPDATE still holds the wallet's row lock (and
SQLite writes one transaction at a time), so per wallet, id order is the order the balance
moved, and the backfilled history chains as new entries do.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint

# Both databases: window functions and UPDATE ... FROM (SQLite 3.33+).
NUMBER_EXISTING = """
UPDATE wallet_transactions SET sequence = numbered.n
FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY wallet_id ORDER BY id) AS n
    FROM wallet_transactions
) AS numbered
WHERE wallet_transactions.id = numbered.id;
UPDATE wallets SET ledger_sequence = COALESCE(
    (SELECT MAX(t.sequence) FROM wallet_transactions t WHERE t.wallet_id = wallets.id), 0
);
"""


async def number_existing(apps, state_editor) -> None:
    await state_editor.client.execute_script(NUMBER_EXISTING)


async def nothing_to_undo(apps, state_editor) -> None:
    """The columns go with RemoveField; their numbers need no undoing."""


class Migration(migrations.Migration):
    dependencies = [("models", "0009_usage_event_references_checked_per_statement")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Wallet",
            name="ledger_sequence",
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name="WalletTransaction",
            name="sequence",
            field=fields.BigIntField(db_default=0),
        ),
        ops.RunPython(number_existing, nothing_to_undo),
        ops.AddConstraint(
            model_name="WalletTransaction",
            constraint=UniqueConstraint(fields=("wallet", "sequence"), name=None),
        ),
    ]
