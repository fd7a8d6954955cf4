"""Turn recorded registrations into the resources the engine would show its analyzers.

The engine analyzes every registered resource (the stack, components, providers and custom
resources alike) and registers a default provider per package and version before the first
resource that needs it; custom resources carry their provider's URN, type, name and inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .analyzer_host import AnalyzerResource, ProviderResource, ResourceOptions
from .mock_engine import STACK_TYPE, Registration
from .wire import UNKNOWN, JSONValue, secret

PROVIDER_PREFIX = "pulumi:providers:"


def is_provider(type_: str) -> bool:
    return type_.startswith(PROVIDER_PREFIX)


def urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def urn_type(urn: str) -> str:
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def _default_provider(
    package: str,
    version: str,
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: frozenset[str],
) -> Registration:
    name = "default" + ("_" + version.replace(".", "_").replace("-", "_") if version else "")
    props: dict[str, JSONValue] = {}
    for key, value in sorted(config.items()):
        namespace, _, short = key.partition(":")
        if namespace == package:
            props[short] = secret(value) if key in secret_keys else value
    if version:
        props["version"] = version
    type_ = PROVIDER_PREFIX + package
    return Registration(
        urn=f"urn:pulumi:{stack}::{project}::{type_}::{name}",
        type=type_,
        name=name,
        custom=True,
        parent="",
        properties=props,
        options=ResourceOptions(),
    )


def with_default_providers(
    registrations: list[Registration],
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: frozenset[str],
) -> tuple[list[Registration], set[str]]:
    """Registrations with default providers inserted; also the set of synthesized URNs."""
    result: list[Registration] = []
    defaults: dict[tuple[str, str], Registration] = {}
    for reg in registrations:
        needs_default = (
            reg.custom
            and not reg.provider_ref
            and not is_provider(reg.type)
            and reg.type != STACK_TYPE
        )
        if needs_default:
            key = (reg.type.split(":", 1)[0], reg.version)
            if key not in defaults:
                defaults[key] = _default_provider(*key, project, stack, config, secret_keys)
                result.append(defaults[key])
            # Provider references are "<urn>::<id>"; in a first preview the ID is unknown.
            reg = replace(reg, provider_ref=f"{defaults[key].urn}::{UNKNOWN}")
        result.append(reg)
    return result, {d.urn for d in defaults.values()}


def analyzer_resources(registrations: list[Registration]) -> list[AnalyzerResource]:
    by_urn = {r.urn: r for r in registrations}
    result = []
    for reg in registrations:
        provider = None
        if reg.custom and reg.provider_ref:
            provider_urn = reg.provider_ref.rsplit("::", 1)[0]
            prov = by_urn.get(provider_urn)
            provider = ProviderResource(
                urn=provider_urn,
                type=prov.type if prov else urn_type(provider_urn),
                name=urn_name(provider_urn),
                properties=prov.properties if prov else {},
            )
        result.append(
            AnalyzerResource(
                urn=reg.urn,
                type=reg.type,
                name=reg.name,
                properties=reg.properties,
                options=reg.options,
                provider=provider,
                parent=reg.parent,
                dependencies=reg.dependencies,
                property_dependencies=reg.property_dependencies,
            )
        )
    return result
