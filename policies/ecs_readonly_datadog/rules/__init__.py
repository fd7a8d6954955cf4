"""The rules: pure functions (TaskDefinition, PolicyConfig) -> list[Issue], one per policy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from ..config import (
    CONFIG_INIT,
    DEFINITIONS_VALID,
    READONLY_ROOT,
    RECOMMENDED_MOUNTS,
    WRITABLE_MOUNTS,
    PolicyConfig,
)
from ..taskdef import TaskDefinition
from . import config_init, mounts, readonly, validity
from .common import Issue

Rule = Callable[[TaskDefinition, PolicyConfig], list[Issue]]

RULES: Mapping[str, Rule] = MappingProxyType(
    {
        READONLY_ROOT: readonly.check,
        WRITABLE_MOUNTS: mounts.check_required,
        RECOMMENDED_MOUNTS: mounts.check_recommended,
        CONFIG_INIT: config_init.check,
        DEFINITIONS_VALID: validity.check,
    }
)

__all__ = ["RULES", "Issue", "Rule"]
