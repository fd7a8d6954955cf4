"""pulumi_policy adapters: thin, guarded wrappers around `check.evaluate`.

Exemptions: the SDK gives one enforcement level per policy, so an exempted finding can't be an
advisory of a mandatory policy. Each rule policy therefore records its exempted findings, and
the advisory `ecs-readonly-datadog-exemptions` policy, which runs last for the same resource
(the SDK runs a request's policies in list order on one thread), reports them with their reason.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from . import ecs_model
from .check import evaluate, exemption_message, unknown_violation_message
from .config import (
    CONFIG_INIT,
    DEFINITIONS_VALID,
    EXEC_PATHS,
    EXEMPTIONS,
    PACK_NAME,
    POLICIES,
    READONLY_ROOT,
    RECOMMENDED_MOUNTS,
    STACK_POLICIES,
    WRITABLE_MOUNTS,
    parse_policy_config,
)
from .normalize import TASK_DEFINITION_TYPES, task_definition_from_props
from .rules import RULES, exec_paths
from .rules.common import STRING_SENTINEL, Issue
from .taskdef import TaskDefinition

__all__ = ["PACK_NAME", "build_policies"]


_LEVELS = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY}
_SEVERITIES = {
    READONLY_ROOT: Severity.HIGH,
    WRITABLE_MOUNTS: Severity.HIGH,
    RECOMMENDED_MOUNTS: Severity.LOW,
    CONFIG_INIT: Severity.MEDIUM,
    DEFINITIONS_VALID: Severity.HIGH,
    EXEC_PATHS: Severity.LOW,
    EXEMPTIONS: Severity.LOW,
}

Validate = Callable[[ResourceValidationArgs, ReportViolation], None]


class _Ledger(threading.local):
    """Exempted findings of the request a gRPC worker thread is serving, per policy.

    The SDK runs one request's policies in order on one thread, so only the current URN is
    ever needed: a new URN replaces the entries. That also bounds memory when the exemptions
    policy is disabled and nothing takes them (one entry per task definition ever analyzed,
    before). Each rule policy overwrites its own entry, so nothing stale survives."""

    def __init__(self) -> None:
        self.urn: str | None = None
        self.by_policy: dict[str, list[str]] = {}

    def put(self, urn: str, policy: str, messages: list[str]) -> None:
        if urn != self.urn:
            self.urn, self.by_policy = urn, {}
        self.by_policy[policy] = messages

    def take(self, urn: str) -> dict[str, list[str]]:
        if urn != self.urn:
            return {}
        found, self.urn, self.by_policy = self.by_policy, None, {}
        return found

    def requests_held(self) -> int:
        return 0 if self.urn is None else 1


_LEDGER = _Ledger()


class _RequestMemo:
    """The normalized task definition of the Analyze request each thread is serving.

    The SDK deserializes a request's inputs again for every policy. What the per-policy args
    share is the request itself: `args.opts.ignore_changes` is the request's protobuf
    `options.ignoreChanges` container, which protobuf hands out as the same object on every
    access. Holding it and comparing with `is` therefore means "same request, same inputs" (a
    held object's identity can't be reused). Anything that is not such a per-request mutable
    object (a tuple could be the shared empty tuple) never matches, so the memo only skips work.

    The held container is dropped when the exemptions policy ends the request and at exit:
    a upb container still referenced during interpreter finalization can crash it.
    """

    def __init__(self) -> None:
        self._by_thread: dict[int, tuple[object, str, TaskDefinition]] = {}

    def task_definition(self, args: ResourceValidationArgs) -> TaskDefinition:
        thread = threading.get_ident()
        token = getattr(args.opts, "ignore_changes", None)
        usable = token is not None and not isinstance(token, (tuple, str, bytes, frozenset))
        entry = self._by_thread.pop(thread, None)
        if usable and entry is not None and entry[0] is token and entry[1] == args.urn:
            self._by_thread[thread] = entry
            return entry[2]
        td = task_definition_from_props(args.props, args.name)
        if usable:
            self._by_thread[thread] = (token, args.urn, td)
        return td

    def release(self) -> None:
        self._by_thread.pop(threading.get_ident(), None)

    def clear(self) -> None:
        self._by_thread.clear()


_MEMO = _RequestMemo()
atexit.register(_MEMO.clear)


def _safe_str(value: object) -> str:
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


def _internal_error(policy: str, args: ResourceValidationArgs, err: BaseException) -> str:
    # An exception escaping a policy fails the whole preview without a traceback (pulumi#16741);
    # a violation naming the policy and the error is the useful alternative.
    name = _safe_str(getattr(args, "name", "?"))
    return (
        f"policy '{policy}' hit an internal error checking '{name}' and could not check it: "
        f"{type(err).__name__}: {_safe_str(err)}. Please report this to the pack's maintainers."
    )


def _unknown_error(issues: tuple[Issue, ...]) -> UnknownValueError:
    err = UnknownValueError(issues[0].sentinel or STRING_SENTINEL, ["containerDefinitions"])
    # The SDK prints "can't run policy ... during preview: <message>" as an advisory.
    err.message = "; ".join(issue.message for issue in issues)
    return err


def rule_validate(policy: str) -> Validate:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        fail_closed = False
        try:
            if args.resource_type not in TASK_DEFINITION_TYPES:
                return
            cfg = parse_policy_config(policy, args.get_config())
            fail_closed = cfg.fail_closed_on_unknown
            td = _MEMO.task_definition(args)
            outcome = evaluate(policy, td, cfg)
            for issue in outcome.violations:
                report_violation(issue.message, None)
            if outcome.exempt:
                messages = [exemption_message(policy, i, r) for i, r in outcome.exempt]
                _LEDGER.put(args.urn, policy, messages)
            if outcome.unknowns:
                if not fail_closed:
                    raise _unknown_error(outcome.unknowns)
                for issue in outcome.unknowns:
                    report_violation(unknown_violation_message(issue), None)
        except UnknownValueError as err:
            if not fail_closed:
                raise  # the SDK reports it as an advisory "can't run policy during preview"
            report_violation(
                f"{_safe_str(getattr(err, 'message', err))} (failClosedOnUnknown is set, so "
                "this is a violation)",
                None,
            )
        except Exception as err:
            report_violation(_internal_error(policy, args, err), None)

    validate.__name__ = f"validate_{policy.replace('-', '_')}"
    return validate


def exemptions_validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _MEMO.release()  # the last policy of the request
    try:
        if args.resource_type not in TASK_DEFINITION_TYPES:
            return
        recorded = _LEDGER.take(args.urn)
        for policy in RULES:
            for message in recorded.get(policy, ()):
                report_violation(message, None)
    except Exception as err:
        report_violation(_internal_error(EXEMPTIONS, args, err), None)


def exec_paths_validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Stack rule: the Exec flag is on the service, the containers on its task definition."""
    try:
        cfg = parse_policy_config(EXEC_PATHS, args.get_config())
        for error in cfg.errors:
            report_violation(f"policy config: {error}", None)
        pairs = exec_paths.services_with_task_definitions(args.resources, TASK_DEFINITION_TYPES)
        for service, task in pairs:
            try:
                flag = service.props.get("enableExecuteCommand")
            except UnknownValueError:
                flag = STRING_SENTINEL  # unknown in preview: nothing to decide yet
            view = exec_paths.service_view({"enableExecuteCommand": flag}, service.name)
            td = task_definition_from_props(task.props, task.name)
            for issue in exec_paths.check(view, td, cfg):
                report_violation(issue.message, service.urn)
    except Exception as err:
        report_violation(
            f"policy '{EXEC_PATHS}' hit an internal error and could not check the stack: "
            f"{type(err).__name__}: {_safe_str(err)}. Please report this to the pack's maintainers.",
            None,
        )


def build_policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    """The pack's policies, in the order the exemptions design needs (exemptions last)."""
    ecs_model.preload()  # pay the ~0.3 s model load at start-up, not on the first resource
    policies: list[ResourceValidationPolicy | StackValidationPolicy] = []
    resource_policies = [p for p in POLICIES if p.name != EXEMPTIONS]
    exemptions = [p for p in POLICIES if p.name == EXEMPTIONS]
    for info in (*resource_policies, *STACK_POLICIES, *exemptions):
        properties: dict[str, dict[str, Any]] = {k: dict(v) for k, v in info.properties.items()}
        if info in STACK_POLICIES:
            policies.append(
                StackValidationPolicy(
                    name=info.name,
                    description=info.description,
                    validate=exec_paths_validate,
                    enforcement_level=_LEVELS[info.enforcement_level],
                    config_schema=PolicyConfigSchema(properties),
                    severity=_SEVERITIES[info.name],
                    remediation_steps=info.remediation,
                )
            )
            continue
        validate = exemptions_validate if info.name == EXEMPTIONS else rule_validate(info.name)
        policies.append(
            ResourceValidationPolicy(
                name=info.name,
                description=info.description,
                validate=validate,
                enforcement_level=_LEVELS[info.enforcement_level],
                config_schema=PolicyConfigSchema(properties) if properties else None,
                severity=_SEVERITIES[info.name],
                remediation_steps=info.remediation,
            )
        )
    assert policies[-1].name == EXEMPTIONS
    return policies
