"""How `node` finds a wallet or a wallet transaction (the area's only way in by ID)."""

from __future__ import annotations

from uuid import UUID

from api.schema.common import Node
from api.schema.node import finds_node
from api.wallets.types import WalletNode, WalletTransactionNode
from domain.access import Caller
from services import wallets


async def _wallet_node(caller: Caller, wallet_id: UUID) -> Node | None:
    found = await wallets.get_wallet(caller, wallet_id)
    return None if found is None else WalletNode.of(found)


async def _transaction_node(caller: Caller, transaction_id: int) -> Node | None:
    found = await wallets.get_transaction(caller, transaction_id)
    if found is None:
        return None
    transaction, wallet = found
    return WalletTransactionNode.of(transaction, wallet.currency)


finds_node("Wallet", _wallet_node, sequence=False)
finds_node("WalletTransaction", _transaction_node, sequence=True)
