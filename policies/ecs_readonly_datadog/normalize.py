"""Resource inputs -> `TaskDefinition`.

Accepts the pulumi-aws classic shape (`containerDefinitions` is one JSON string), the aws-native
shape (a list of objects) and a plain ECS task definition (either), whether the values are plain
Python data, pulumi_policy's unknown-checking/secret proxies, or raw wire secrets
(`{"4dabf...": "1b47...", "value": ...}`). Unknown sentinels become `Unknown` markers.

aws-native property names (pulumi-aws-native `TaskDefinitionContainerDefinition` and friends) are
the ECS API's camelCase names: `dependsOn` (not renamed), `mountPoints` (`sourceVolume`,
`containerPath`, `readOnly`), `readonlyRootFilesystem`, `essential`, `healthCheck`; task
`volumes` items carry `name`. So one reader serves both providers.

The SDK deserializes the inputs again for every policy, so the result is cached by content
(the classic JSON string itself, or the repr of the plain native list): identical inputs are
parsed and validated once, while any change in content is a different key.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .lru import LRU
from .taskdef import TaskDefinition, Unknown, deeper_than

CLASSIC_TYPE = "aws:ecs/taskDefinition:TaskDefinition"
NATIVE_TYPE = "aws-native:ecs:TaskDefinition"
TASK_DEFINITION_TYPES = frozenset({CLASSIC_TYPE, NATIVE_TYPE})

# The same values as pulumi_policy.proxy.UNKNOWN_*_VALUE (a test keeps them in sync); copied so
# the offline checker can normalize without importing the SDK (grpc, pulumi).
UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# Substrings whose absence proves a parsed JSON string needs no unknown/secret walk.
_MARKERS = (*UNKNOWN_SENTINELS, SIG_KEY)


_WRAPPERS: tuple[tuple[type, ...], type | None] | None = None


def _sdk_wrapper_types() -> tuple[tuple[type, ...], type | None]:
    """pulumi_policy's proxy classes and Secret. An instance can only exist once its module is
    loaded, so looking in sys.modules (instead of importing) is exact and keeps the SDK optional."""
    global _WRAPPERS
    if _WRAPPERS is not None:
        return _WRAPPERS
    proxy = sys.modules.get("pulumi_policy.proxy")
    secret = sys.modules.get("pulumi_policy.secret")
    names = (
        (proxy, "_DictProxy"),
        (proxy, "_ListProxy"),
        (secret, "_DictSecretsProxy"),
        (secret, "_ListSecretsProxy"),
    )
    wrappers = tuple(getattr(mod, name) for mod, name in names if hasattr(mod, name))
    found = (wrappers, getattr(secret, "Secret", None))
    if len(wrappers) == len(names) and found[1] is not None:
        _WRAPPERS = found  # both modules loaded: the answer can't change any more
    return found


def _target(proxy: Any) -> Any:
    return proxy["__target"]


def _secret_value(secret: Any) -> Any:
    return secret.value


def to_plain(value: Any) -> tuple[Any, bool]:
    """A plain deep copy of `value` with proxies and secrets unwrapped and unknown sentinels
    replaced by `Unknown`; also returns whether any Unknown was found."""
    wrappers, secret_cls = _sdk_wrapper_types()
    found = False

    def conv(v: Any) -> Any:
        nonlocal found
        t = type(v)
        if t is str:
            if v in UNKNOWN_SENTINELS:
                found = True
                return Unknown(v)
            return v
        if v is None or t is bool or t is int or t is float:
            return v
        if t is dict:
            if v.get(SIG_KEY) == SECRET_SIG:
                return conv(v.get("value"))
            return {k: conv(item) for k, item in v.items()}
        if t is list or t is tuple:
            return [conv(item) for item in v]
        if wrappers and isinstance(v, wrappers):
            # The proxies' own __getitem__ raises on unknowns; their raw target does not.
            return conv(_target(v))
        if secret_cls is not None and isinstance(v, secret_cls):
            return conv(_secret_value(v))
        if isinstance(v, Unknown):
            found = True
            return v
        if isinstance(v, str):
            return conv(str(v))
        if isinstance(v, Mapping):
            return conv(dict(v.items()))
        if isinstance(v, Sequence):
            return conv(list(v))
        return v  # assets and other objects: rules see a wrong type, validity reports it

    return conv(value), found


def _raw_mapping(props: Any) -> Mapping[str, Any]:
    if type(props) is dict:
        return props
    wrappers, _ = _sdk_wrapper_types()
    if wrappers and isinstance(props, wrappers):
        target = _target(props)
        if isinstance(target, Mapping):
            return target
    if isinstance(props, Mapping):
        return props
    return {}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_fast_loads: Callable[[str], Any] | None
try:  # about 2x faster than json on container definitions; optional
    import orjson

    _fast_loads = orjson.loads
except ImportError:  # pragma: no cover - exercised where orjson isn't installed
    _fast_loads = None
# One decoder: json.loads(..., parse_constant=...) would build a new one on every call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _parse_json(text: str) -> tuple[Any, str | None]:
    """Strict JSON (no NaN/Infinity, as ECS); both parsers raise ValueError subclasses."""
    try:
        if _fast_loads is not None:
            return _fast_loads(text), None
        return _DECODER.decode(text), None
    except RecursionError:
        return None, "containerDefinitions is nested too deeply to parse"
    except ValueError as err:
        return None, f"containerDefinitions is not valid JSON: {err}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


# (classic JSON text or native repr) -> TaskDefinition without its label. Tiny on purpose: in a
# preview every resource's content differs, so a larger cache answers nothing, while each entry
# keeps ~1,500 parsed objects alive for the collector to walk again and again (LRU(32) cost
# ~0.1x of the no-op floor per Analyze in benchmarks/pack_cost.py). Repeats within one request
# use pack's memo; this keeps the same content seen back to back (direct calls, tests), and
# frees the previous one while it is still warm in the CPU cache.
_CACHE: LRU[TaskDefinition] = LRU(1)


def clear_cache() -> None:
    _CACHE.clear()


def task_definition_from_props(props: Any, resource_name: str | None = None) -> TaskDefinition:
    """Normalize task definition inputs of either provider, or a plain ECS task definition."""
    raw = _raw_mapping(props)
    try:
        raw_cd = raw.get("containerDefinitions")
        raw_volumes = raw.get("volumes")
        raw_family = raw.get("family")
    except Exception:  # an exotic Mapping; treat as empty inputs
        raw_cd = raw_volumes = raw_family = None
    family = _shallow(raw_family)
    label = family if isinstance(family, str) and family else (resource_name or "(unnamed)")
    return _with(_containers(raw_cd), label, raw_volumes)


def _containers(raw_cd: Any) -> TaskDefinition:
    """The container part, cached by content (the classic JSON text, or the native repr)."""
    raw_cd = _shallow(raw_cd)  # a secret-wrapped JSON string is still the JSON string
    if type(raw_cd) is not str:
        try:
            plain_cd, cd_unknown = to_plain(raw_cd)
            key = ("value", repr(plain_cd))
        except RecursionError:  # deeper than Python recurses: no ECS definition is
            return _build(None, _TOO_DEEP, False)
        if cd_unknown and deeper_than(plain_cd, _MAX_UNKNOWN_DEPTH):
            return _build(None, _TOO_DEEP, False)
        cached = _CACHE.get(key)
        if cached is None:
            cached = _build(plain_cd, None, cd_unknown)
            _CACHE.put(key, cached)
        return cached
    key = ("json", raw_cd)
    cached = _CACHE.get(key)
    if cached is None:
        parsed, problem = _parse_json(raw_cd)
        cd_unknown = False
        if problem is None and any(marker in raw_cd for marker in _MARKERS):
            try:
                parsed, cd_unknown = to_plain(parsed)
            except RecursionError:
                parsed, problem = None, _TOO_DEEP
            # Unknowns get their paths listed by a recursive walk: bound the depth up front.
            if cd_unknown and deeper_than(parsed, _MAX_UNKNOWN_DEPTH):
                parsed, problem, cd_unknown = None, _TOO_DEEP, False
        cached = _build(parsed, problem, cd_unknown)
        _CACHE.put(key, cached)
    return cached


_TOO_DEEP = "containerDefinitions is nested too deeply to read"
_MAX_UNKNOWN_DEPTH = 100


def _shallow(value: Any) -> Any:
    """Unwrap one level: a proxy to its target, a secret to its value, a sentinel to Unknown."""
    wrappers, secret_cls = _sdk_wrapper_types()
    if wrappers and isinstance(value, wrappers):
        value = _target(value)
    if secret_cls is not None and isinstance(value, secret_cls):
        value = _secret_value(value)
    if type(value) is dict and value.get(SIG_KEY) == SECRET_SIG:
        value = _shallow(value.get("value"))
    if type(value) is str and value in UNKNOWN_SENTINELS:
        return Unknown(value)
    return value


def _with(containers: TaskDefinition, label: str, raw_volumes: Any) -> TaskDefinition:
    """The cached container part plus this resource's name and volumes. Only volume names
    matter to the rules, so only they are read (and unknowns elsewhere in volumes ignored)."""
    td = TaskDefinition(
        label=label,
        containers=containers.containers,
        containers_problem=containers.containers_problem,
        containers_unknown=containers.containers_unknown,
        has_unknowns=containers.has_unknowns,
        memo=containers.memo,  # shared: it only holds results about the containers
    )
    volumes = _shallow(raw_volumes)
    names: set[str] = set()
    if isinstance(volumes, Unknown):
        td.volumes_uncertain = True
    elif isinstance(volumes, (list, tuple)):
        proxies = frozenset(_sdk_wrapper_types()[0])
        for index, entry in enumerate(volumes):
            # Fast paths for a plain volume object and the SDK's dict proxy; anything else
            # (secret wrappers, sentinels) goes through _shallow.
            if type(entry) is dict and SIG_KEY not in entry:
                volume = entry
            else:
                volume = _target(entry) if type(entry) in proxies else _shallow(entry)
            if type(volume) is not dict:
                if isinstance(volume, Unknown):
                    td.volumes_uncertain = True
                else:
                    td.volumes_problem = f"volumes[{index}] is {_kind(volume)}, not a volume object"
                continue
            name = volume.get("name")
            if type(name) is not str or name in UNKNOWN_SENTINELS:
                name = _shallow(name)
            if isinstance(name, Unknown):
                td.volumes_uncertain = True
            elif isinstance(name, str) and name:
                names.add(name)
    elif volumes is not None:
        td.volumes_problem = f"volumes must be a list of volume objects, got {_kind(volumes)}"
    td.volume_names = frozenset(names)
    return td


def _build(containers: Any, problem: str | None, cd_unknown: bool) -> TaskDefinition:
    td = TaskDefinition(label="", containers=None)
    if problem is not None:
        td.containers_problem = problem
    elif isinstance(containers, Unknown):
        td.containers_unknown = containers
    elif containers is None:
        td.containers_problem = "containerDefinitions is missing"
    elif not isinstance(containers, list):
        td.containers_problem = (
            "containerDefinitions must be a list of container objects "
            f"(a JSON array for pulumi-aws), got {_kind(containers)}"
        )
    else:
        td.containers = tuple(containers)
        td.has_unknowns = cd_unknown
    return td
