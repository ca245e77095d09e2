"""What a GraphQL document costs, measured in one pass before any validation rule runs.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter walk the operation once per path through
its fragments: twenty fragments that each spread the next one twice make 2^20 paths, and an
841-byte document kept the server busy for seconds (docs/decisions.md has the upstream report).
Here each fragment is measured once, after the fragments it spreads, and a spread adds the
measures of its fragment, so the work grows with the document's size, not with its paths.

A document over the limits is refused here, before the standard rules. Those rules then only ever
see documents whose fragment expansion is bounded (MAX_SELECTIONS), which bounds the rules that
work through the expansion too; OverlappingFieldsCanBeMerged, quadratic in fields that share a
response name, also gets a smaller work budget (OVERLAP_BUDGET).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.extensions import SchemaExtension

MAX_DEPTH = 12
MAX_ALIASES = 30
# Fields, fragment spreads and inline fragments of the whole document with every use of a
# fragment expanded. A generous client document has a few hundred; the GraphiQL introspection
# query in development has 471.
MAX_SELECTIONS = 2_000
# graphql-core's default (500,000 units) let 250 repeated `meters { code }` take ~0.5 s here.
# Real documents, whose response names seldom repeat, spend little (18 units at most across the
# API tests): 5,000 leaves them ample room and caps the worst case at 1% of the default's work.
OVERLAP_BUDGET = 5_000
# Counts stop growing here: a document's expansion can be 2^(its size), and numbers that large
# would be slow to add. Every limit is far below it.
COUNT_CAP = 1_000_000

# graphql-core reads this module attribute whenever a validation starts; it documents assigning
# it as the way to change the budget.
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = OVERLAP_BUDGET


@dataclass(frozen=True)
class Measure:
    """A selection set with every fragment in it expanded.

    `levels` counts nested field levels the way QueryDepthLimiter does: a field of an
    introspection type (`__schema`, `__type`) counts as a leaf there, so its selection does not."""

    levels: int
    aliases: int
    selections: int


@dataclass
class DocumentMeasure:
    depths: list[tuple[OperationDefinitionNode, int]] = field(default_factory=list)
    aliases: int = 0  # in operations, as MaxAliasesLimiter counted them
    selections: int = 0  # in every definition, fragments included: each one is validated
    visits: int = 0  # selection nodes looked at, to show the work is linear in the document


def measure_document(document: DocumentNode) -> DocumentMeasure:
    result = DocumentMeasure()
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    measured: dict[str, Measure] = {}
    for name in _spread_order(fragments, result):
        measured[name] = _measure(fragments[name].selection_set, measured, result)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            own = _measure(definition.selection_set, measured, result)
            result.depths.append((definition, own.levels - 1))
            result.aliases = _add(result.aliases, own.aliases)
            result.selections = _add(result.selections, own.selections)
        elif isinstance(definition, FragmentDefinitionNode):
            name = definition.name.value
            # A second fragment of the same name (refused later) is still validated: measure it.
            if fragments[name] is definition:
                selections = measured[name].selections
            else:
                selections = _measure(definition.selection_set, measured, result).selections
            result.selections = _add(result.selections, selections)
    return result


def limit_errors(measure: DocumentMeasure) -> list[GraphQLError]:
    errors = [
        GraphQLError(
            f"'{operation.name.value if operation.name else 'anonymous'}' exceeds maximum "
            f"operation depth of {MAX_DEPTH}",
            operation,
        )
        for operation, depth in measure.depths
        if depth > MAX_DEPTH
    ]
    if measure.aliases > MAX_ALIASES:
        errors.append(
            GraphQLError(f"{_count(measure.aliases)} aliases found. Allowed: {MAX_ALIASES}")
        )
    if measure.selections > MAX_SELECTIONS:
        errors.append(
            GraphQLError(
                f"The document selects {_count(measure.selections)} fields and fragments once "
                f"each use of a fragment is expanded. Allowed: {MAX_SELECTIONS}"
            )
        )
    return errors


class DocumentLimits(SchemaExtension):
    """Refuses a document over the limits before the validation rules (and their cache) run."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            errors = limit_errors(measure_document(context.graphql_document))
            if errors:
                # Strawberry skips the rules of a validation that already has its errors.
                context.pre_execution_errors = errors
        yield


def _spread_order(
    fragments: Mapping[str, FragmentDefinitionNode], result: DocumentMeasure
) -> list[str]:
    """Fragment names, each after the fragments it spreads (a spread closing a cycle aside).

    Iterative: a chain of thousands of fragments must not exhaust Python's recursion limit."""
    spreads = {
        name: _spreads(fragment.selection_set, result) for name, fragment in fragments.items()
    }
    order: list[str] = []
    seen: set[str] = set()
    for root in fragments:
        if root in seen:
            continue
        seen.add(root)
        path = [(root, iter(spreads[root]))]
        while path:
            name, targets = path[-1]
            for target in targets:
                if target in fragments and target not in seen:
                    seen.add(target)
                    path.append((target, iter(spreads[target])))
                    break
            else:
                path.pop()
                order.append(name)
    return order


def _spreads(selection_set: SelectionSetNode, result: DocumentMeasure) -> list[str]:
    names: list[str] = []
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            result.visits += 1
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append(selection.selection_set)
    return names


def _measure(
    selection_set: SelectionSetNode, measured: Mapping[str, Measure], result: DocumentMeasure
) -> Measure:
    # Recursion only within one definition: the parser refuses nesting of 200 and more.
    levels = aliases = selections = 0
    for selection in selection_set.selections:
        result.visits += 1
        selections += 1
        level = 1
        inner: Measure | None = None
        if isinstance(selection, FieldNode):
            if selection.alias:
                aliases += 1
            if selection.selection_set:
                inner = _measure(selection.selection_set, measured, result)
                if not selection.name.value.startswith("__"):
                    level = 1 + inner.levels
        elif isinstance(selection, InlineFragmentNode):
            inner = _measure(selection.selection_set, measured, result)
            level = inner.levels
        elif isinstance(selection, FragmentSpreadNode):
            # An unknown fragment, or one closing a cycle, counts as a leaf: the rules refuse both.
            inner = measured.get(selection.name.value)
            level = inner.levels if inner else 1
        if inner is not None:
            aliases = _add(aliases, inner.aliases)
            selections = _add(selections, inner.selections)
        levels = max(levels, level)
    return Measure(levels, aliases, selections)


def _add(a: int, b: int) -> int:
    return min(a + b, COUNT_CAP)


def _count(n: int) -> str:
    return f"at least {COUNT_CAP}" if n >= COUNT_CAP else str(n)
