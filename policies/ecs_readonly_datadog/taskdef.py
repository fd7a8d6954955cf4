"""The normalized task definition every rule reads, and small accessors over its containers.

Containers stay plain JSON-like values (dict, list, str, int, float, bool, None). A value that
Pulumi could not know during preview is an `Unknown` instance, never a string, so no rule can
mistake the sentinel for a real container name or image.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# The dependsOn conditions that wait for the dependency to exit: its target is an init container.
SUCCESS_LIKE = frozenset({"SUCCESS", "COMPLETE"})


def waits_for_exit(condition: object) -> bool:
    # isinstance first: a malformed condition may be a list, and lists aren't hashable.
    return isinstance(condition, str) and condition in SUCCESS_LIKE


class Unknown:
    """A value the engine could not know during preview (it sent a sentinel string)."""

    __slots__ = ("sentinel",)

    def __init__(self, sentinel: str) -> None:
        self.sentinel = sentinel

    def __repr__(self) -> str:
        # Part of normalize's cache key: equal reprs must mean equal values.
        return f"Unknown({self.sentinel!r})"


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


@dataclass(eq=False)
class TaskDefinition:
    """A task definition reduced to what the rules need. Instances may be shared through the
    normalize cache, so nothing may mutate them after construction (memo aside)."""

    label: str
    """The family, or the resource name when the family is missing or unknown."""
    containers: tuple[Any, ...] | None
    """Plain container entries; None when containerDefinitions is unknown or malformed."""
    containers_problem: str | None = None
    """Why containers is None when it is malformed (missing, bad JSON, not a list...)."""
    containers_unknown: Unknown | None = None
    """Set when containerDefinitions as a whole is unknown during preview."""
    volume_names: frozenset[str] = frozenset()
    volumes_uncertain: bool = False
    """The volumes list, or some volume's name, is unknown: an undefined name may yet exist."""
    volumes_problem: str | None = None
    has_unknowns: bool = False
    """Some value inside the containers is unknown."""
    memo: dict[str, Any] = field(default_factory=dict)
    """Per-instance results shared by the policies (e.g. the botocore validation)."""

    def unknown_paths(self) -> list[str]:
        """Every unknown value's path, e.g. `containerDefinitions[1].image` (slow path only)."""
        found: list[str] = []
        if self.containers_unknown is not None:
            found.append("containerDefinitions")
        if self.containers is not None:
            _collect_unknown_paths(list(self.containers), "containerDefinitions", found)
        return found


def deeper_than(value: Any, limit: int) -> bool:
    """Whether lists/dicts nest more than `limit` levels. Iterative, so it can't hit the
    recursion limit that the recursive walks (repr, to_plain, unknown paths) would."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if type(node) is dict:
            stack.extend((item, depth + 1) for item in node.values())
        elif type(node) is list:
            stack.extend((item, depth + 1) for item in node)
    return False


def _collect_unknown_paths(value: Any, path: str, found: list[str]) -> None:
    if isinstance(value, Unknown):
        found.append(path)
    elif isinstance(value, dict):
        # Key order: the engine's Struct maps arrive in no fixed order, so the same inputs
        # would list their unknowns differently from run to run.
        for key, item in sorted(value.items(), key=lambda pair: str(pair[0])):
            _collect_unknown_paths(item, f"{path}.{key}", found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _collect_unknown_paths(item, f"{path}[{index}]", found)


def container_name(container: Any) -> str | Unknown | None:
    """The container's name if it is a usable string, an Unknown, or None."""
    if not isinstance(container, dict):
        return None
    name = container.get("name")
    if isinstance(name, Unknown):
        return name
    return name if isinstance(name, str) and name else None


def container_label(container: Any, index: int) -> str:
    name = container_name(container)
    return f"'{name}'" if isinstance(name, str) else f"containerDefinitions[{index}]"


def is_essential(container: dict[str, Any]) -> bool | Unknown:
    """ECS treats a container as essential unless `essential` is exactly false."""
    value = container.get("essential")
    if isinstance(value, Unknown):
        return value
    return value is not False


def list_field(container: dict[str, Any], key: str) -> list[Any] | Unknown:
    """A list-valued field; absent, null or a wrong type reads as empty (the validity policy
    reports wrong types)."""
    value = container.get(key)
    if isinstance(value, Unknown):
        return value
    return value if isinstance(value, list) else []


def normalize_path(path: Any) -> str | None:
    """`/etc/datadog-agent/` and `/etc//datadog-agent` are the same mount target. Relative
    paths never match: ECS requires absolute container paths."""
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    return _normalize_absolute(path)


@lru_cache(maxsize=4096)
def _normalize_absolute(path: str) -> str:
    # normpath keeps a leading `//` (POSIX), so collapse leading slashes first.
    return posixpath.normpath("/" + path.lstrip("/"))


def describe_value(value: Any) -> str:
    """A short, JSON-flavoured rendering of a value and its type for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, Unknown):
        return "unknown during preview"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f'"{shown}" (a string)'
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"
