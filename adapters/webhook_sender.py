"""Sending one signed webhook over HTTP(S) with httpx, to an address checked at send time.

The host is resolved here, every address it resolves to is checked against the address policy
(domain.webhooks.addresses), and the request goes to the first of them, named by its IP: the
address checked is the address called, so a name re-pointed between the check and the connect
(DNS rebinding) cannot reach a private address. The Host header and, for https, the TLS server
name (SNI, certificate check) stay the URL's host. Redirects are not followed (a 3xx is a failed
delivery): a redirect could lead anywhere. Proxies from the environment are not used.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit, urlunsplit

import httpx

from domain.errors import DomainError
from domain.webhooks.addresses import AddressPolicy, IpAddress, check_addresses, parse_address
from domain.webhooks.urls import EndpointUrl

USER_AGENT = "Rebill-Webhooks/1"
LAST_ERROR_CHARS = 1000


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """The answer's status code if one came, else why none did."""

    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def resolve(host: str, port: int) -> list[IpAddress]:
    """The addresses ``host`` resolves to now (an IP literal is its own); [] if none."""
    literal = parse_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except socket.gaierror:
        return []
    found: list[IpAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = parse_address(str(sockaddr[0]))
        if address is not None and address not in found:
            found.append(address)
    return found


async def checked_address(policy: AddressPolicy, url: EndpointUrl) -> IpAddress:
    """The address to call: raises the domain's refusal when any resolved address is refused
    (WebhookAddressRefusedError) or there is none (WebhookHostUnresolvedError)."""
    addresses = await resolve(url.host, url.port)
    check_addresses(policy, url.host, addresses)
    return addresses[0]


async def send_webhook(
    url: EndpointUrl,
    body: bytes,
    headers: Mapping[str, str],
    policy: AddressPolicy,
    timeout_seconds: float,
) -> SendOutcome:
    """POSTs ``body``; never raises for what the far side or the network does."""
    try:
        address = await checked_address(policy, url)
    except DomainError as refused:
        return SendOutcome(None, refused.message)
    parts = urlsplit(url.url)
    literal = f"[{address}]" if address.version == 6 else str(address)
    target = urlunsplit(parts._replace(netloc=f"{literal}:{url.port}"))
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    sent_headers = {
        **headers,
        "Host": parts.netloc,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        async with (
            httpx.AsyncClient(
                timeout=timeout_seconds,
                follow_redirects=False,
                trust_env=False,
                verify=_tls_context(),
            ) as client,
            client.stream(
                "POST", target, content=body, headers=sent_headers, extensions=extensions
            ) as response,
        ):
            # The answer's body is not read: only its status counts.
            return SendOutcome(response.status_code, None)
    except httpx.HTTPError as error:
        return SendOutcome(None, _described(error))


@cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle costs milliseconds: once per process, not once per send.
    return ssl.create_default_context()


def _described(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text[:LAST_ERROR_CHARS]
