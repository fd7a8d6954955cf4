"""Secret references: what ECS accepts in `secrets[].valueFrom`, and the IAM grant each one needs."""

import re
from dataclasses import dataclass
from typing import Final

_PARTITION = r"aws(?:-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?"
# ECS accepts `arn:...:secret:NAME-XXXXXX[:json-key:version-stage:version-id]`; IAM wants the secret ARN.
_SECRETS_MANAGER = re.compile(
    rf"^(?P<arn>arn:{_PARTITION}:secretsmanager:[a-z0-9-]+:\d{{12}}:secret:[A-Za-z0-9/_+=.@-]+)"
    r"(?::[^:]*:[^:]*:[^:]*)?$"
)
# Secrets Manager appends "-" and six random characters to every secret's ARN.
_RANDOM_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
_SSM_ARN = re.compile(rf"^arn:{_PARTITION}:ssm:[a-z0-9-]+:\d{{12}}:parameter/[A-Za-z0-9_.\-/]+$")
# A bare name must be hierarchical (`/team/app/key`): a flat word is too easily a pasted secret.
_SSM_NAME = re.compile(r"^(?:/[A-Za-z0-9_.\-]+)+$")

ALLOWED: Final = (
    "a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf), "
    "an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME) "
    "or an SSM parameter name starting with '/'"
)


@dataclass(frozen=True)
class SecretGrant:
    """The IAM action and resource that let the execution role read one secret reference."""

    action: str
    resource: str


def redact(value: str) -> str:
    """Describe a value that may be a secret without showing it."""
    return f"<redacted, {len(value)} characters>"


def is_valid(value: str) -> bool:
    return bool(_SECRETS_MANAGER.match(value) or _SSM_ARN.match(value) or _SSM_NAME.match(value))


def grant_for(value: str, *, partition: str, region: str, account_id: str) -> SecretGrant:
    """The exact grant for a reference already checked with `is_valid`."""
    if match := _SECRETS_MANAGER.match(value):
        arn = match["arn"]
        if not _RANDOM_SUFFIX.search(arn):
            # A partial ARN (no "-AbCdEf" suffix): IAM evaluates the full ARN, so match the suffix.
            arn += "-??????"
        return SecretGrant("secretsmanager:GetSecretValue", arn)
    if _SSM_ARN.match(value):
        return SecretGrant("ssm:GetParameters", value)
    if _SSM_NAME.match(value):
        # ECS resolves a bare name in the task's own account and region.
        return SecretGrant(
            "ssm:GetParameters", f"arn:{partition}:ssm:{region}:{account_id}:parameter{value}"
        )
    raise ValueError(f"not a secret reference: {redact(value)}; expected {ALLOWED}")
