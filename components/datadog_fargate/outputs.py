"""Output helpers."""

import json
from typing import Any

import pulumi


def json_dumps(value: Any) -> pulumi.Output[str]:
    """`Output.json_dumps` that awaits only the Outputs inside `value`.

    `Output.json_dumps` lifts every nested dict and list into an Output of its own, hundreds per
    task definition: most of the component's cost in a preview (benchmarks/RESULTS.md, section
    2). Here the few real Outputs (the region, secret ARNs passed as Outputs) are awaited with one
    `Output.all`, so unknown and secret propagate exactly as before.
    """
    found: list[pulumi.Output[Any]] = []

    def collect(node: Any) -> None:
        if isinstance(node, pulumi.Output):
            found.append(node)
        elif isinstance(node, dict):
            for item in node.values():
                collect(item)
        elif isinstance(node, (list, tuple)):
            for item in node:
                collect(item)

    collect(value)

    def render(resolved: list[Any]) -> str:
        values = iter(resolved)

        def fill(node: Any) -> Any:
            if isinstance(node, pulumi.Output):
                return next(values)
            if isinstance(node, dict):
                return {key: fill(item) for key, item in node.items()}
            if isinstance(node, (list, tuple)):
                return [fill(item) for item in node]
            return node

        return json.dumps(fill(value))

    return pulumi.Output.all(*found).apply(render)
