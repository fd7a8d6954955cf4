"""Turn user args into a `ServiceSpec`, or raise one error that lists every problem.

Runs before any child resource registers, so bad input never leaves half a stack behind. Each
problem names the field (as a path such as `containers[0].writable_paths[1]`), the value and what
is allowed. Values that may be secrets are never echoed.
"""

import difflib
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pulumi

from . import defaults, secret_refs
from .args import (
    AppContainer,
    DatadogFargateServiceArgs,
    DatadogSettings,
    HealthCheck,
    LoadBalancerTarget,
    LogsSettings,
    PortMapping,
)
from .fargate import EPHEMERAL_STORAGE_GIB, TASK_SIZES, describe_memory
from .spec import (
    ContainerSpec,
    DatadogSpec,
    HealthCheckSpec,
    LoadBalancerSpec,
    LogsSpec,
    MountSpec,
    PortSpec,
    ServiceSpec,
)

T = TypeVar("T")

_CONTAINER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
# The component name becomes the service name, the family, the log group and (with a suffix
# and Pulumi's 8 random characters) the IAM role names, which IAM caps at 64.
_COMPONENT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_CLUSTER_ARN = re.compile(r"^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster/[A-Za-z0-9_-]{1,255}$")
# Names that look like credentials must come from `secrets`, never plaintext environment:
# a credential word as one `_`-separated part of the name, or a *_KEY that names a credential.
_SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "CREDENTIALS", "APIKEY"}
)
_SECRET_KEYS = re.compile(r"(^|_)(API|APP|PRIVATE|ACCESS|SECRET)_KEY(_|$)")
# Datadog's secrets-backend settings name a command, not a credential.
_NOT_SECRET = re.compile(r"^DD_SECRET_BACKEND_")
# The Agent also listens on localhost (IPC 5001, expvar 5000, APM expvar 5012) in the task's
# shared network namespace, besides its APM and DogStatsD ports.
_AGENT_PORTS = {5000: "agent expvar", 5001: "agent IPC", 5012: "APM expvar"}
# Variables the component sets on app containers; a user value would silently fight ours.
_MANAGED_APP_ENV = frozenset(
    {
        "DD_ENV",
        "DD_SERVICE",
        "DD_VERSION",
        "DD_AGENT_HOST",
        "DD_TRACE_AGENT_URL",
        "DD_DOGSTATSD_URL",
    }
)
_MANAGED_AGENT_ENV = frozenset(
    {
        "ECS_FARGATE",
        "DD_APM_ENABLED",
        "DD_SITE",
        "DD_API_KEY",
        "DD_APM_RECEIVER_SOCKET",
        "DD_DOGSTATSD_SOCKET",
        "DD_ECS_TASK_COLLECTION_ENABLED",
    }
)


class InvalidArgsError(ValueError):
    """DatadogFargateService was given arguments it cannot deploy safely."""

    def __init__(self, resource_name: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f'DatadogFargateService "{resource_name}": {len(self.problems)} invalid argument(s):\n'
            f"{lines}"
        )


def _show(value: object) -> str:
    return repr(value) if not isinstance(value, str) else f'"{value}"'


class _Reader:
    """Reads one mapping of args, recording a problem per bad field instead of stopping."""

    def __init__(
        self, problems: list[str], path: str, data: object, schema: type | None = None
    ) -> None:
        self.problems = problems
        self.path = path
        self.data: Mapping[str, Any] = {}
        if not isinstance(data, Mapping):
            self.fail("", data, "must be an object")
            return
        self.data = data
        if schema is not None:
            self._check_keys(schema)

    def at(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str | int, value: object, allowed: str) -> None:
        where = self.at(key) if key != "" else (self.path or "args")
        self.problems.append(f"{where}: {_show(value)} {allowed}")

    def _check_keys(self, schema: type) -> None:
        # A misspelled key would otherwise be ignored without a trace: the bug this project fights.
        known = list(schema.__annotations__)
        for key in self.data:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f'; did you mean "{close[0]}"?' if close else f"; known: {', '.join(known)}"
                self.problems.append(f"{self.at(str(key))}: unknown argument{hint}")

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def string(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, value, "is required: a non-empty string")
            return default
        if not isinstance(value, str) or not value.strip():
            self.fail(key, value, "must be a non-empty string")
            return default
        return value

    def choice(self, key: str, default: str, allowed: Sequence[str]) -> str:
        value = self.string(key, default)
        if value is not None and value not in allowed:
            self.fail(key, value, f"is not allowed; use one of: {', '.join(allowed)}")
            return default
        return value or default

    def integer(
        self, key: str, default: int | None, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        value = self.data.get(key)
        if value is None:
            return default
        # bool is an int in Python; `cpu: True` is a mistake, not 1.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(key, value, "must be a whole number")
            return default
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            bounds = f"{lo}-{hi}" if hi is not None else f"at least {lo}"
            self.fail(key, value, f"is out of range; allowed: {bounds}")
            return default
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, value, "must be true or false")
            return default
        return value

    def input_str(self, key: str, *, required: bool = False) -> pulumi.Input[str] | None:
        """A string that may also be an Output of another resource (checked when it resolves)."""
        value = self.data.get(key)
        if isinstance(value, pulumi.Output):
            return value
        return self.string(key, required=required)

    def input_strings(self, key: str, *, required: bool = False) -> list[pulumi.Input[str]]:
        """A list whose elements are non-empty strings or Outputs of other resources."""
        out: list[pulumi.Input[str]] = []
        for where, value in self.items(key, required=required):
            if isinstance(value, pulumi.Output) or (isinstance(value, str) and value.strip()):
                out.append(value)
            else:
                self.problems.append(f"{where}: {_show(value)} must be a non-empty string ID")
        return out

    def items(self, key: str, *, required: bool = False) -> list[tuple[str, Any]]:
        """The elements of a list field as (path, value) pairs."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, value, "is required: a non-empty list")
            return []
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            self.fail(key, value, "must be a list")
            return []
        if required and not value:
            self.fail(key, value, "must not be empty")
        return [(f"{self.at(key)}[{i}]", v) for i, v in enumerate(value)]

    def strings(self, key: str) -> tuple[str, ...] | None:
        if self.data.get(key) is None:
            return None
        out = []
        for where, v in self.items(key):
            if isinstance(v, str):
                out.append(v)
            else:
                self.problems.append(f"{where}: {_show(v)} must be a string")
        return tuple(out)

    def string_map(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(key, value, "must be an object of name to value")
            return {}
        return dict(value)

    def string_pairs(self, key: str) -> tuple[tuple[str, str], ...]:
        """A map of string to string, sorted; each non-string value is a problem."""
        pairs = []
        for name, value in self.string_map(key).items():
            if isinstance(value, str):
                pairs.append((name, value))
            else:
                self.problems.append(f"{self.at(key)}.{name}: {_show(value)} must be a string")
        return tuple(sorted(pairs))

    def nested(self, key: str, schema: type, *, required: bool = False) -> "_Reader":
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, None, "is required: an object")
            value = {}  # absent optional object: every field takes its default
        return _Reader(self.problems, self.at(key), value, schema)


def _each(
    reader: _Reader, key: str, schema: type, build: Callable[[_Reader], T], required: bool = False
) -> list[T]:
    return [
        build(_Reader(reader.problems, where, value, schema))
        for where, value in reader.items(key, required=required)
    ]


def _volume_slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "root"


def _path_problem(path: object) -> str | None:
    """Why `path` cannot be a writable mount point, or None."""
    if not isinstance(path, str) or not path.startswith("/"):
        return 'must be an absolute path such as "/tmp"'
    if posixpath.normpath(path) == "/":
        return "is the root filesystem; list the directories the app writes instead"
    if posixpath.normpath(path) != path.rstrip("/") or "//" in path:
        return f'is not a normalized path; write "{posixpath.normpath(path)}"'
    if (path.rstrip("/") + "/").startswith(defaults.SOCKETS_DIR + "/"):
        return (
            f"is inside {defaults.SOCKETS_DIR}, which the component mounts read-only "
            "for the Datadog sockets; choose another path"
        )
    return None


def volume_mounts(container: str, paths: Sequence[str], taken: set[str]) -> tuple[MountSpec, ...]:
    """One task volume per path, named `container-path` (with a counter on collision)."""
    mounts = []
    for path in paths:
        base = name = f"{container}-{_volume_slug(path)}"[:240]
        n = 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        mounts.append(MountSpec(volume=name, path=path))
    return tuple(mounts)


def _writable_paths(
    r: _Reader, container: str, taken: set[str], extra: Sequence[str]
) -> tuple[MountSpec, ...]:
    paths: list[str] = []
    for where, path in r.items("writable_paths"):
        problem = _path_problem(path)
        if problem is None and path.rstrip("/") in paths:
            problem = "is listed twice; list each path once"
        if problem:
            r.problems.append(f"{where}: {_show(path)} {problem}")
            continue
        paths.append(path.rstrip("/"))
    paths.extend(p for p in extra if p not in paths)
    return volume_mounts(container, paths, taken)


def _environment(r: _Reader, key: str, managed: frozenset[str], owner: str) -> dict[str, str]:
    env = r.string_map(key)
    for name, value in env.items():
        where = f"{r.at(key)}.{name}"
        if not isinstance(value, str):
            r.problems.append(f"{where}: {_show(value)} must be a string")
        elif _looks_like_credential(name):
            # Never echo the value: it is probably the credential itself.
            r.problems.append(
                f"{where}: {secret_refs.redact(value)} looks like a credential in plaintext "
                f"environment; move it to {owner} as a Secrets Manager or SSM reference"
            )
        elif name in managed:
            r.problems.append(
                f"{where}: {_show(value)} is set by the component; configure it through "
                "the `datadog` args instead"
            )
    return {k: v for k, v in env.items() if isinstance(v, str)}


def _looks_like_credential(name: str) -> bool:
    upper = name.upper()
    if _NOT_SECRET.match(upper):
        return False
    return bool(_SECRET_WORDS & set(upper.split("_")) or _SECRET_KEYS.search(upper))


def check_secret_ref(where: str, value: str) -> str | None:
    """The problem with one secret reference, or None."""
    if secret_refs.is_valid(value):
        return None
    return (
        f"{where}: {secret_refs.redact(value)} is not a secret reference; use {secret_refs.ALLOWED}"
    )


def _secret_ref(r: _Reader, where: str, value: object) -> pulumi.Input[str] | None:
    if isinstance(value, pulumi.Output):
        return value
    if not isinstance(value, str):
        r.problems.append(f"{where}: {type(value).__name__} must be a string reference")
        return None
    problem = check_secret_ref(where, value)
    if problem:
        r.problems.append(problem)
        return None
    return value


def _port(r: _Reader) -> PortSpec:
    return PortSpec(
        container_port=r.integer("container_port", None, 1, 65535) or 0,
        protocol=r.choice("protocol", "tcp", ("tcp", "udp")),
        name=r.string("name"),
    )


def _health_check(r: _Reader) -> HealthCheckSpec:
    command = r.strings("command") or ()
    if not command or command[0] not in ("CMD", "CMD-SHELL") or len(command) < 2:
        r.fail(
            "command", list(command), 'must start with "CMD" or "CMD-SHELL" followed by the check'
        )
    return HealthCheckSpec(
        command=command,
        interval=r.integer("interval", 30, 5, 300) or 30,
        timeout=r.integer("timeout", 5, 2, 60) or 5,
        retries=r.integer("retries", 3, 1, 10) or 3,
        start_period=r.integer("start_period", 0, 0, 300) or 0,
    )


def _container(r: _Reader, volumes: set[str], exec_paths: Sequence[str]) -> ContainerSpec:
    name = r.string("name", "", required=True) or ""
    if name and not _CONTAINER_NAME.match(name):
        r.fail("name", name, "must be 1-255 letters, digits, '-' or '_'")
    elif name in defaults.RESERVED_CONTAINER_NAMES:
        r.fail(
            "name",
            name,
            f"is reserved for the Datadog sidecar; reserved: {', '.join(sorted(defaults.RESERVED_CONTAINER_NAMES))}",
        )
    image = r.string("image", "", required=True) or ""
    if image and any(ch.isspace() for ch in image):
        r.fail("image", image, "must not contain whitespace")

    ports = tuple(_each(r, "port_mappings", PortMapping, _port))
    agent_ports = {
        defaults.APM_PORT: "APM",
        defaults.DOGSTATSD_PORT: "DogStatsD",
        **_AGENT_PORTS,
    }
    for i, port in enumerate(ports):
        if port.container_port in agent_ports:
            # awsvpc tasks share one network namespace: the agent already listens there.
            r.problems.append(
                f"{r.at('port_mappings')}[{i}].container_port: {port.container_port} is used by the "
                f"Datadog Agent in the same task ({agent_ports[port.container_port]}); choose "
                f"another port (reserved: {', '.join(map(str, sorted(agent_ports)))})"
            )
    seen_ports = [(p.container_port, p.protocol) for p in ports]
    if len(set(seen_ports)) != len(seen_ports):
        r.fail("port_mappings", [p.container_port for p in ports], "lists the same port twice")

    environment = _environment(r, "environment", _MANAGED_APP_ENV, f"{r.at('secrets')}")
    secrets: list[tuple[str, pulumi.Input[str]]] = []
    for key, value in r.string_map("secrets").items():
        ref = _secret_ref(r, f"{r.at('secrets')}.{key}", value)
        if key in environment:
            r.problems.append(
                f"{r.at('secrets')}.{key}: is also in environment; set each variable in one place"
            )
        if ref is not None:
            secrets.append((key, ref))

    health = r.get("health_check")
    for label in r.string_map("docker_labels"):
        if str(label).startswith("com.datadoghq.tags."):
            r.problems.append(
                f"{r.at('docker_labels')}.{label}: is set by the component from datadog.env/"
                "service/version; set those instead"
            )
    memory = r.integer("memory", None, 6)
    reservation = r.integer("memory_reservation", None, 4)
    if memory is not None and reservation is not None and reservation >= memory:
        r.fail("memory_reservation", reservation, f"must be less than memory ({memory})")
    return ContainerSpec(
        name=name,
        image=image,
        cpu=r.integer("cpu", None, 0, 16384),
        memory=memory,
        memory_reservation=reservation,
        essential=r.boolean("essential", True),
        ports=ports,
        writable=_writable_paths(r, name or "app", volumes, exec_paths),
        environment=tuple(sorted(environment.items())),
        secrets=tuple(secrets),
        command=r.strings("command"),
        entry_point=r.strings("entry_point"),
        working_directory=r.string("working_directory"),
        user=r.string("user"),
        health_check=None
        if health is None
        else _health_check(r.nested("health_check", HealthCheck)),
        docker_labels=r.string_pairs("docker_labels"),
        depends_on_agent=r.boolean("depends_on_agent", True),
    )


def _pinned_image(r: _Reader, key: str, default: str) -> str:
    image = r.string(key, default) or default
    if any(ch.isspace() for ch in image):
        r.fail(key, image, "must not contain whitespace")
        return image
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last and "@" not in last else None
    if "@" not in image and tag in (None, "latest"):
        r.fail(
            key,
            image,
            f'is not pinned; use a version tag such as "{default}" or a digest (@sha256:...)',
        )
    return image


def _agent_image(r: _Reader) -> str:
    image = _pinned_image(r, "agent_image", defaults.DEFAULT_AGENT_IMAGE)
    repository = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    if repository != "agent":
        r.fail(
            "agent_image",
            image,
            "is not a Datadog Agent image: its repository must be .../agent (e.g. "
            f'"{defaults.DEFAULT_AGENT_IMAGE}", or a mirror ending in /agent)',
        )
    return image


def _logs(r: _Reader) -> LogsSpec:
    buffer_path = r.string("buffer_path")
    problem = None if buffer_path is None else _path_problem(buffer_path)
    if problem:
        r.fail("buffer_path", buffer_path, problem)
    mode = r.choice("mode", "awslogs", defaults.LOG_MODES)
    if mode != "firelens":
        for key in ("router_image", "source", "tags", "config_file", "buffer_path"):
            if r.get(key) is not None:
                r.fail(key, r.get(key), 'only applies with mode "firelens"')
    config_file = r.string("config_file")
    if config_file is not None and not config_file.startswith("/"):
        r.fail("config_file", config_file, "must be an absolute path inside router_image")
    if buffer_path is not None and config_file is None:
        r.fail(
            "buffer_path",
            buffer_path,
            "needs config_file: only your Fluent Bit config can point storage.path at it",
        )
    return LogsSpec(
        mode=mode,
        router_image=_pinned_image(r, "router_image", defaults.DEFAULT_ROUTER_IMAGE),
        source=r.string("source"),
        tags=r.string_pairs("tags"),
        config_file=config_file,
        buffer_path=buffer_path.rstrip("/") if buffer_path and not problem else None,
    )


def _datadog(r: _Reader, name: str) -> DatadogSpec:
    api_key = r.get("api_key_secret_arn")
    if api_key is None:
        r.fail("api_key_secret_arn", None, f"is required; use {secret_refs.ALLOWED}")
    ref = None if api_key is None else _secret_ref(r, r.at("api_key_secret_arn"), api_key)
    return DatadogSpec(
        api_key=ref or "",
        site=r.choice("site", defaults.DEFAULT_SITE, defaults.SITES),
        env=r.string("env"),
        service=r.string("service", name) or name,
        version=r.string("version"),
        agent_image=_agent_image(r),
        agent_cpu=r.integer("agent_cpu", defaults.DEFAULT_AGENT_CPU, 0, 16384) or 0,
        agent_memory=r.integer("agent_memory", defaults.DEFAULT_AGENT_MEMORY, 128)
        or defaults.DEFAULT_AGENT_MEMORY,
        transport=r.choice("transport", "unix", defaults.TRANSPORTS),
        task_collection=r.boolean("task_collection", True),
        agent_environment=tuple(
            sorted(
                _environment(
                    r, "agent_environment", _MANAGED_AGENT_ENV, "datadog.api_key_secret_arn"
                ).items()
            )
        ),
        agent_execute_command=r.boolean("agent_execute_command", False),
        logs=_logs(r.nested("logs", LogsSettings)),
    )


def _task_size(
    r: _Reader, spec_containers: Sequence[ContainerSpec], dd: DatadogSpec
) -> tuple[int, int]:
    cpu = r.integer("cpu", defaults.DEFAULT_TASK_CPU) or defaults.DEFAULT_TASK_CPU
    memory = r.integer("memory", defaults.DEFAULT_TASK_MEMORY) or defaults.DEFAULT_TASK_MEMORY
    if cpu not in TASK_SIZES:
        r.fail(
            "cpu", cpu, f"is not a Fargate task size; use one of: {', '.join(map(str, TASK_SIZES))}"
        )
        return cpu, memory
    if memory not in TASK_SIZES[cpu]:
        r.fail(
            "memory",
            memory,
            f"is not valid with cpu {cpu} on Fargate; allowed: {describe_memory(cpu)}",
        )
    used_cpu = dd.agent_cpu + sum(c.cpu or 0 for c in spec_containers)
    if used_cpu > cpu:
        r.fail(
            "cpu", cpu, f"is less than the containers' total cpu {used_cpu} (agent {dd.agent_cpu})"
        )
    router = defaults.ROUTER_MEMORY_RESERVATION if dd.logs.firelens else 0
    used_mem = (
        dd.agent_memory
        + router
        + sum(c.memory or c.memory_reservation or 0 for c in spec_containers)
    )
    if used_mem > memory:
        r.fail(
            "memory",
            memory,
            f"is less than the containers' total memory {used_mem} MiB (agent {dd.agent_memory})",
        )
    return cpu, memory


def _load_balancer(r: _Reader, containers: Mapping[str, ContainerSpec]) -> LoadBalancerSpec:
    target = r.input_str("target_group_arn", required=True) or ""
    name = r.string("container_name", "", required=True) or ""
    port = r.integer("container_port", 0, 1, 65535) or 0
    if name and name not in containers:
        r.fail(
            "container_name", name, f"is not an app container; containers: {', '.join(containers)}"
        )
    elif name and port not in {p.container_port for p in containers[name].ports}:
        r.fail("container_port", port, f'is not in the port_mappings of container "{name}"')
    return LoadBalancerSpec(target_group_arn=target, container_name=name, container_port=port)


def _tags(r: _Reader) -> tuple[tuple[str, str], ...]:
    pairs = r.string_pairs("tags")
    for key, _ in pairs:
        if key.lower().startswith("aws:"):
            r.problems.append(
                f'tags.{key}: the "aws:" prefix is reserved for AWS; choose another key'
            )
    return pairs


def validate(name: str, args: DatadogFargateServiceArgs | Mapping[str, Any]) -> ServiceSpec:
    """Check every argument; return the normalized spec or raise `InvalidArgsError`."""
    problems: list[str] = []
    if not _COMPONENT_NAME.match(name):
        problems.append(
            f'name: "{name}" must be 1-40 letters, digits, "-" or "_": it names the ECS '
            "service, the task family, the log group and the IAM roles"
        )
    r = _Reader(problems, "", args, DatadogFargateServiceArgs)
    cluster_arn = r.input_str("cluster_arn", required=True) or ""
    if isinstance(cluster_arn, str) and cluster_arn and not _CLUSTER_ARN.match(cluster_arn):
        r.fail(
            "cluster_arn",
            cluster_arn,
            "is not an ECS cluster ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME); the task "
            "role's permissions are scoped to it",
        )

    dd = _datadog(r.nested("datadog", DatadogSettings, required=True), name)
    enable_exec = r.boolean("enable_execute_command", False)
    if dd.agent_execute_command and not enable_exec:
        r.fail(
            "datadog.agent_execute_command", True, "only applies with enable_execute_command: true"
        )
    # Names the sidecars may use are taken before any app container picks its volume names.
    volumes = {
        v
        for v, _ in (
            *defaults.AGENT_VOLUMES,
            *defaults.AGENT_EXEC_VOLUMES,
            *defaults.ROUTER_VOLUMES,
        )
    } | {defaults.ROUTER_BUFFER_VOLUME}
    exec_paths = defaults.EXEC_PATHS if enable_exec else ()
    containers = _each(
        r, "containers", AppContainer, lambda c: _container(c, volumes, exec_paths), required=True
    )
    names = [c.name for c in containers if c.name]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        r.fail("containers", dup, "is used by more than one container; names must be unique")
    cpu, memory = _task_size(r, containers, dd)

    subnets = r.input_strings("subnet_ids", required=True)
    groups = r.input_strings("security_group_ids")
    vpc_id = r.input_str("vpc_id")
    if groups and vpc_id is not None:
        r.fail(
            "vpc_id",
            vpc_id,
            "is only used to create a security group when security_group_ids is empty; drop one of them",
        )
    if not groups and vpc_id is None:
        r.fail(
            "security_group_ids",
            None,
            "or vpc_id is required: pass security groups, or a VPC in which to create an egress-only group",
        )
    by_name = {c.name: c for c in containers}
    load_balancers = _each(
        r, "load_balancers", LoadBalancerTarget, lambda lb: _load_balancer(lb, by_name)
    )
    grace = r.integer("health_check_grace_period_seconds", None, 0, 2147483647)
    if grace is not None and not load_balancers:
        r.fail("health_check_grace_period_seconds", grace, "only applies with load_balancers")
    retention = r.integer("log_retention_days", defaults.DEFAULT_LOG_RETENTION_DAYS)
    if retention not in defaults.LOG_RETENTION_DAYS:
        r.fail(
            "log_retention_days",
            retention,
            f"is not a CloudWatch Logs retention; use one of: {', '.join(map(str, defaults.LOG_RETENTION_DAYS))}",
        )
    storage = r.integer("ephemeral_storage_gib", None)
    if storage is not None and storage not in EPHEMERAL_STORAGE_GIB:
        r.fail(
            "ephemeral_storage_gib",
            storage,
            "is out of range; allowed: 21-200 (omit it for Fargate's default 20)",
        )

    spec = ServiceSpec(
        name=name,
        cluster_arn=cluster_arn,
        subnet_ids=tuple(subnets),
        security_group_ids=tuple(groups),
        vpc_id=vpc_id,
        assign_public_ip=r.boolean("assign_public_ip", False),
        cpu=cpu,
        memory=memory,
        cpu_architecture=r.choice("cpu_architecture", "X86_64", defaults.CPU_ARCHITECTURES),
        ephemeral_storage_gib=storage,
        containers=tuple(containers),
        datadog=dd,
        desired_count=r.integer("desired_count", 1, 0, 10000) or 0,
        load_balancers=tuple(load_balancers),
        health_check_grace_period_seconds=grace,
        log_retention_days=retention or defaults.DEFAULT_LOG_RETENTION_DAYS,
        log_kms_key_arn=r.input_str("log_kms_key_arn"),
        secrets_kms_key_arns=tuple(r.input_strings("secrets_kms_key_arns")),
        execution_role_arn=r.input_str("execution_role_arn"),
        task_role_arn=r.input_str("task_role_arn"),
        tags=_tags(r),
        enable_execute_command=enable_exec,
    )
    if problems:
        raise InvalidArgsError(name, problems)
    return spec
