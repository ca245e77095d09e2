"""GraphQL over HTTP for tests: posts a document, returns the decoded JSON."""

from __future__ import annotations

from typing import Any

import httpx2
from graphql import GraphQLUnionType

from api.schema.root import schema

ERROR_DETAILS = {
    "InvalidInput": "... on InvalidInput { fields { field message } } ",
    "NotFound": "... on NotFound { id } ",
}


def union_members(union_name: str) -> set[str]:
    union = schema._schema.get_type(union_name)
    assert isinstance(union, GraphQLUnionType), f"{union_name} is not a union"
    return {member.name for member in union.types}


class GraphQLClient:
    def __init__(self, http: httpx2.AsyncClient) -> None:
        self.http = http

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, secret: str | None = None
    ) -> dict[str, Any]:
        headers = {} if secret is None else {"Authorization": f"Bearer {secret}"}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, secret: str | None = None
    ) -> dict[str, Any]:
        """The data of a request that must not produce errors."""
        body = await self.raw(query, variables, secret)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def mutate(
        self, mutation: str, input_: dict[str, Any], secret: str, selection: str = ""
    ) -> dict[str, Any]:
        """Runs `mutation(input: $input)` and returns its result object (with __typename).

        Asks for the details of each error type the mutation's union has, and only those (a
        fragment on a type outside the union is a validation error).
        """
        name = mutation[0].upper() + mutation[1:]
        members = union_members(f"{name}Result")
        details = "".join(
            fragment for type_name, fragment in ERROR_DETAILS.items() if type_name in members
        )
        document = (
            f"mutation($input: {name}Input!) {{ {mutation}(input: $input) {{ __typename "
            f"... on Error {{ message }} {details} {selection} }} }}"
        )
        data = await self.data(document, {"input": input_}, secret)
        result: dict[str, Any] = data[mutation]
        return result
