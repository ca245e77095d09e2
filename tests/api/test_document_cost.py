"""Checking a document costs work in proportion to its size, never to its paths through fragments.

Fragments that each spread the next one twice make 2^n paths in n fragments: Strawberry's
depth and alias limiters walked them all, before authentication (docs/decisions.md)."""

from __future__ import annotations

import httpx2
import pytest
from graphql import GraphQLError, parse, specified_rules, validate
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from api.schema.document_limits import (
    COUNT_CAP,
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_SELECTIONS,
    OVERLAP_BUDGET,
    limit_errors,
    measure_document,
)
from api.schema.root import schema
from tests.api.conftest import World
from tests.api.test_document_cache import Calls
from tests.graphql_client import GraphQLClient


def doubling_chain(levels: int, operation: str = "Q1") -> str:
    """The document of the report: each fragment spreads the next one twice."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return " ".join(
        [
            f"query {operation} {{ ...F0 }}",
            *fragments,
            f"fragment F{levels} on Query {{ __typename }}",
        ]
    )


def messages(errors: list[GraphQLError]) -> list[str]:
    return [error.message for error in errors]


@pytest.mark.parametrize(("levels", "visits"), [(20, 4 * 20 + 3), (40, 4 * 40 + 3)])
def test_measuring_a_doubling_chain_visits_each_selection_twice_at_most(
    levels: int, visits: int
) -> None:
    # The document has 2 selections per fragment, 1 in the last and 1 in the operation: each
    # fragment's are visited twice (its spreads, then its measure), the operation's once.
    measure = measure_document(parse(doubling_chain(levels)))

    assert measure.visits == visits
    assert measure.selections == COUNT_CAP
    assert messages(limit_errors(measure)) == [
        f"The document selects at least {COUNT_CAP} fields and fragments once each use of a "
        f"fragment is expanded. Allowed: {MAX_SELECTIONS}"
    ]


def test_a_chain_of_thousands_of_fragments_is_measured_without_recursing_through_them() -> None:
    # Each fragment nests the next one a level deeper: 3,000 levels through fragments.
    fragments = [
        f"fragment F{i} on Query {{ viewer {{ tenant {{ ...F{i + 1} }} }} }}" for i in range(3000)
    ]
    document = parse(" ".join(["{ ...F0 }", *fragments, "fragment F3000 on Query { __typename }"]))

    measure = measure_document(document)

    assert [depth for _, depth in measure.depths] == [6000]
    assert measure.visits == 2 * (3 * 3000 + 1) + 1


def test_fragment_cycles_and_unknown_fragments_are_left_to_the_standard_rules() -> None:
    cycle = parse("{ ...A ...Missing } fragment A on Query { ...B } fragment B on Query { ...A }")

    assert limit_errors(measure_document(cycle)) == []
    assert "Cannot spread fragment 'A' within itself via 'B'." in messages(
        validate(schema._schema, cycle, specified_rules)
    )


# Documents without exponential paths, where Strawberry's limiters are the reference.
REFERENCE_DOCUMENTS = [
    "{ viewer { role } }",
    "{ " + "viewer { tenant { " * 6 + "slug" + " } }" * 6 + " }",  # 12 levels below the top
    "{ " + "viewer { tenant { " * 6 + "wallet { id }" + " } }" * 6 + " }",  # 13
    "{ viewer { ...T } } fragment T on Viewer { tenant { "
    + "wallet { owner { ... on Tenant { " * 5
    + "slug"
    + " } } }" * 5
    + " } }",
    "{ viewer { ...T } } fragment T on Viewer { tenant { "
    + "wallet { owner { ... on Tenant { " * 6
    + "slug"
    + " } } }" * 6
    + " } }",
    # Introspection fields count as leaves, as Strawberry counts them.
    "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { "
    "ofType { ofType { ofType { ofType { name } } } } } } } } } } } } } } }",
    "{ " + " ".join(f"m{i}: meters {{ code }}" for i in range(30)) + " }",
    "{ " + " ".join(f"m{i}: meters {{ code }}" for i in range(31)) + " }",
    "{ ...A ...A } fragment A on Query { "
    + " ".join(f"m{i}: meters {{ c: code }}" for i in range(8))
    + " }",  # 32 aliases, 16 of them written
    "query One { a: viewer { role } } query Two { "
    + " ".join(f"m{i}: meters {{ code }}" for i in range(30))
    + " }",
]


@pytest.mark.parametrize("text", REFERENCE_DOCUMENTS)
def test_depth_and_aliases_are_refused_exactly_where_strawberrys_limiters_refused_them(
    text: str,
) -> None:
    document = parse(text)
    reference_rules = [
        *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    ]
    reference = {
        message.split(" ")[1]
        for message in messages(validate(schema._schema, document, reference_rules))
    }
    ours = {message.split(" ")[1] for message in messages(limit_errors(measure_document(document)))}

    assert ours == reference


def test_a_document_just_under_the_selection_limit_passes_and_one_more_is_refused() -> None:
    at_limit = parse("{ " + "__typename " * MAX_SELECTIONS + "}")
    over = parse("{ " + "__typename " * (MAX_SELECTIONS + 1) + "}")

    assert limit_errors(measure_document(at_limit)) == []
    assert messages(limit_errors(measure_document(over))) == [
        f"The document selects {MAX_SELECTIONS + 1} fields and fragments once each use of a "
        f"fragment is expanded. Allowed: {MAX_SELECTIONS}"
    ]


def test_each_fragment_definition_counts_its_own_expansion_as_it_is_validated_too() -> None:
    # An unused fragment is still checked by the rules (and refused by one of them).
    half = "__typename " * (MAX_SELECTIONS // 2 + 1)
    document = parse(
        f"{{ __typename }} fragment Unused on Query {{ ...Half ...Half }} "
        f"fragment Half on Query {{ {half} }}"
    )

    assert measure_document(document).selections == 1 + 2 * (MAX_SELECTIONS // 2 + 2) + (
        MAX_SELECTIONS // 2 + 1
    )


def test_overlap_checks_of_repeated_fields_stop_at_a_small_budget() -> None:
    # Under the selection limit, yet quadratic for OverlappingFieldsCanBeMerged: 900 fields with
    # one response name, each with a selection to compare.
    document = parse("{ " + "meters { code } " * 900 + "}")

    errors = validate(schema._schema, document, specified_rules)

    assert overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET == OVERLAP_BUDGET
    assert limit_errors(measure_document(document)) == []
    assert messages(errors) == ["Validation aborted."]


async def test_the_forty_level_document_is_refused_without_a_key_before_any_rule_runs(
    http: httpx2.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    validations = Calls(monkeypatch, "validate")

    response = await http.post("/graphql", json={"query": doubling_chain(40)})
    health = await http.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == [
        f"The document selects at least {COUNT_CAP} fields and fragments once each use of a "
        f"fragment is expanded. Allowed: {MAX_SELECTIONS}"
    ]
    assert validations.count == 0
    assert (health.status_code, health.json()) == (200, {"status": "ok"})


async def test_new_operation_names_do_not_get_past_the_cheap_check(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each name makes a new text, which the validation cache has never seen.
    validations = Calls(monkeypatch, "validate")

    bodies = [await gql.raw(doubling_chain(20, f"Q{i}")) for i in range(25)]

    assert all(body["data"] is None for body in bodies)
    assert all("fields and fragments" in body["errors"][0]["message"] for body in bodies)
    assert validations.count == 0


async def test_an_accepted_document_is_validated_once_per_text_and_answers(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    validations = Calls(monkeypatch, "validate")
    document = "query Q%d { ...F } fragment F on Query { viewer { role } }"

    answers = [await gql.data(document % n, secret=world.a.tenant_secret) for n in (1, 2, 1, 2)]

    assert answers == [{"viewer": {"role": "TENANT"}}] * 4
    assert validations.count <= 2
