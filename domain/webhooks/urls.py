"""An endpoint's URL: http(s) only, a host, no credentials, of a bounded length."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from domain.errors import InvalidInputError
from domain.text import is_storable_text

MAX_URL_LENGTH = 2048
SCHEMES = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class EndpointUrl:
    url: str
    scheme: str
    # Lower case, without the brackets of an IPv6 literal.
    host: str
    port: int


def parse_endpoint_url(text: str) -> EndpointUrl:
    """The URL as it will be called; InvalidInput on ``url`` if it is not one we call."""
    url = text.strip()
    if not url or len(url) > MAX_URL_LENGTH or not is_storable_text(url) or not url.isascii():
        raise _invalid(f"Give an http or https URL of at most {MAX_URL_LENGTH} ASCII characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _invalid("This is not a URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise _invalid("Only http and https URLs are called.")
    if not parts.hostname:
        raise _invalid("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        # Listings show the URL; a password in it would be shown to every reader.
        raise _invalid("The URL must not carry credentials: verify the signature instead.")
    if parts.fragment or url.endswith("#"):
        raise _invalid("The URL must not have a fragment.")
    if any(c.isspace() for c in url):
        raise _invalid("The URL must not contain spaces.")
    return EndpointUrl(url, scheme, parts.hostname.lower(), port or SCHEMES[scheme])


def _invalid(message: str) -> InvalidInputError:
    return InvalidInputError.single("url", message)
