"""Which addresses a webhook may be sent to: in production, public ones only.

A webhook URL is the tenant's, and the request comes from inside our network: a URL that reaches
a loopback, link-local (cloud metadata at 169.254.169.254), private, unique-local, multicast,
unspecified or reserved address would let a tenant probe that network. The rule is applied at
registration and again at every send, to the addresses the host resolves to then (a name can be
pointed elsewhere after it was checked: DNS rebinding).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import DomainError

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressKind(StrEnum):
    LOOPBACK = "LOOPBACK"
    LINK_LOCAL = "LINK_LOCAL"
    PRIVATE = "PRIVATE"
    UNIQUE_LOCAL = "UNIQUE_LOCAL"
    MULTICAST = "MULTICAST"
    UNSPECIFIED = "UNSPECIFIED"
    RESERVED = "RESERVED"
    # Not on the public internet for another reason (shared CGNAT space, documentation ranges).
    NOT_GLOBAL = "NOT_GLOBAL"


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """``public_only`` in production; ``allow_loopback`` lets tests reach a local receiver."""

    public_only: bool
    allow_loopback: bool = False

    def refusal(self, address: IpAddress) -> AddressKind | None:
        """Why ``address`` may not be called, or None when it may."""
        if not self.public_only:
            return None
        kind = address_kind(address)
        if kind is AddressKind.LOOPBACK and self.allow_loopback:
            return None
        return kind


_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")


def address_kind(address: IpAddress) -> AddressKind | None:
    """The non-public kind of ``address``, or None for a public one. An IPv4 address written as
    IPv6 (``::ffff:10.0.0.1``, 6to4, Teredo) is judged as the IPv4 address it reaches."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return address_kind(embedded)
    if address.is_unspecified:
        return AddressKind.UNSPECIFIED
    if address.is_loopback:
        return AddressKind.LOOPBACK
    if address.is_link_local:
        return AddressKind.LINK_LOCAL
    if address.is_multicast:
        return AddressKind.MULTICAST
    if isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL:
        return AddressKind.UNIQUE_LOCAL
    if address.is_private:
        return AddressKind.PRIVATE
    if address.is_reserved:
        return AddressKind.RESERVED
    if not address.is_global:
        return AddressKind.NOT_GLOBAL
    return None


def _embedded_ipv4(address: IpAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def parse_address(text: str) -> IpAddress | None:
    """The IP address ``text`` is (an IPv6 scope id dropped), or None for a host name."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


class WebhookAddressRefusedError(DomainError):
    """The URL's host is, or resolves to, an address webhooks are not sent to."""

    def __init__(self, host: str, address: IpAddress, kind: AddressKind) -> None:
        super().__init__(
            f"{host} resolves to {address}, a {kind.value.lower().replace('_', '-')} address: "
            "webhooks are sent to public addresses only."
        )
        self.host = host
        self.address = address
        self.kind = kind


class WebhookHostUnresolvedError(DomainError):
    """The URL's host has no address."""

    def __init__(self, host: str) -> None:
        super().__init__(f"{host} does not resolve to any address.")
        self.host = host


def check_addresses(policy: AddressPolicy, host: str, addresses: Iterable[IpAddress]) -> None:
    """Every address the host resolves to must be allowed: a client library picks any of them."""
    found = list(addresses)
    if not found:
        raise WebhookHostUnresolvedError(host)
    for address in found:
        kind = policy.refusal(address)
        if kind is not None:
            raise WebhookAddressRefusedError(host, address, kind)
