"""Pulumi's property wire format, as the engine sends it to analyzers.

Values here are "wire JSON": what ``json_format.MessageToDict`` returns for a protobuf
``Struct`` (dicts, lists, str, float, bool, None), where an unknown value is the sentinel
string and a secret is ``{SIG_KEY: SECRET_SIG, "value": ...}``. The engine marshals analyzer
inputs with KeepUnknowns, KeepSecrets and SkipInternalKeys, and without KeepResources, so
resource references travel as their ID (or URN for components).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

# pulumi/runtime/rpc.py and sdk/go/common/resource/properties.go
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"

JSONValue = Any  # dict/list/str/float/bool/None, recursively


def secret(value: JSONValue) -> dict[str, JSONValue]:
    """Wrap a value the way the engine marks secrets on the wire."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def is_secret(value: JSONValue) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def struct_to_wire(struct: struct_pb2.Struct) -> dict[str, JSONValue]:
    result: dict[str, JSONValue] = json_format.MessageToDict(struct)
    return result


def wire_to_struct(props: Mapping[str, JSONValue]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(props))
    return struct


def for_analyzer(value: JSONValue) -> JSONValue:
    """Normalize SDK-serialized inputs into what the engine hands an analyzer.

    Drops internal ``__``-prefixed keys, turns resource references into their ID (unknown
    if the ID is not known yet) or URN, and output values into their plain value or unknown.
    """
    if isinstance(value, list):
        return [for_analyzer(v) for v in value]
    if not isinstance(value, dict):
        return value
    sig = value.get(SIG_KEY)
    if sig == RESOURCE_SIG:
        if "id" in value:
            rid = value["id"]
            return rid if isinstance(rid, str) and rid else UNKNOWN
        return value.get("urn", UNKNOWN)
    if sig == OUTPUT_SIG:
        inner = for_analyzer(value["value"]) if "value" in value else UNKNOWN
        return secret(inner) if value.get("secret") else inner
    if sig == SECRET_SIG:
        return secret(for_analyzer(value.get("value")))
    if sig is not None:  # assets and archives keep their shape
        return {k: for_analyzer(v) for k, v in value.items()}
    return {k: for_analyzer(v) for k, v in value.items() if not k.startswith("__")}


def contains_unknown(value: JSONValue) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def secret_strings(value: JSONValue, inside_secret: bool = False) -> Iterator[str]:
    """Every string that sits inside a secret wrapper, for redaction of printed text."""
    if isinstance(value, dict):
        nested = inside_secret or is_secret(value)
        for k, v in value.items():
            if k != SIG_KEY:
                yield from secret_strings(v, nested)
    elif isinstance(value, list):
        for v in value:
            yield from secret_strings(v, inside_secret)
    elif inside_secret and isinstance(value, str) and value != UNKNOWN:
        yield value
    elif inside_secret and isinstance(value, (int, float)) and not isinstance(value, bool):
        yield repr(value)
