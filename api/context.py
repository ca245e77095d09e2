"""The GraphQL context: who is calling, the settings, and this request's loaders (by area)."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from graphql import GraphQLError

from api.loader_sets import RequestLoaders
from domain.access import Caller, ForbiddenError
from domain.settings import Settings


@dataclass
class Context:
    settings: Settings
    authenticated: Caller | None
    loaders: RequestLoaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = RequestLoaders(self.authenticated)

    @property
    def caller(self) -> Caller:
        """Every root field goes through here: no valid key, no data."""
        if self.authenticated is None:
            raise GraphQLError(
                "Send a valid API key as `Authorization: Bearer <secret>`.",
                extensions={"code": "UNAUTHENTICATED"},
            )
        return self.authenticated


Info = strawberry.Info[Context, None]


def forbidden(error: ForbiddenError | None = None) -> GraphQLError:
    message = error.message if error else "Your API key may not see this."
    return GraphQLError(message, extensions={"code": "FORBIDDEN"})


def require_wholesale_access(info: Info) -> None:
    """Client portals (source keys) never see wholesale costs, margins or the agency's books."""
    if not info.context.caller.sees_wholesale:
        raise forbidden()
