"""Plausible results for provider functions (invokes) during an offline preview.

Unknown functions return ``{}``: the program then sees missing values, as it would with a
provider that returned nothing, instead of the preview failing outright.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

Handler = Callable[[Mapping[str, Any], str], dict[str, Any]]


def _one_or_list(values: Any) -> Any:
    # The Terraform data source renders one-element lists as a bare string.
    items = list(values or [])
    return items[0] if len(items) == 1 else items


def _statement(s: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if s.get("sid"):
        out["Sid"] = s["sid"]
    out["Effect"] = s.get("effect") or "Allow"
    for key, name in (
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ):
        if s.get(key):
            out[name] = _one_or_list(sorted(s[key]))
    for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        if s.get(key):
            principals: dict[str, Any] = {}
            for p in s[key]:
                principals[p.get("type", "AWS")] = _one_or_list(p.get("identifiers"))
            out[name] = "*" if principals == {"*": "*"} else principals
    if s.get("conditions"):
        conditions: dict[str, dict[str, Any]] = {}
        for c in s["conditions"]:
            conditions.setdefault(c.get("test", ""), {})[c.get("variable", "")] = _one_or_list(
                c.get("values")
            )
        out["Condition"] = conditions
    return out


def _policy_document(args: Mapping[str, Any], _region: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        doc["Id"] = args["policyId"]
    doc["Statement"] = [_statement(s) for s in args.get("statements") or []]
    text = json.dumps(doc, indent=2)
    return {
        "json": text,
        "minifiedJson": json.dumps(doc, separators=(",", ":")),
        "id": hashlib.sha256(text.encode()).hexdigest()[:16],
    }


def _caller_identity(_args: Mapping[str, Any], _region: str) -> dict[str, Any]:
    return {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/preview",
        "userId": "AIDAPREVIEWPREVIEW00000",
        "id": ACCOUNT_ID,
    }


def _region(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    name = args.get("region") or args.get("name") or region
    return {
        "name": name,
        "region": name,
        "id": name,
        "endpoint": f"ec2.{name}.amazonaws.com",
        "description": name,
    }


def _partition(_args: Mapping[str, Any], _region: str) -> dict[str, Any]:
    return {
        "partition": "aws",
        "id": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


def _azs(_args: Mapping[str, Any], region: str) -> dict[str, Any]:
    names = [f"{region}{s}" for s in "abc"]
    return {
        "names": names,
        "zoneIds": [f"use1-az{i}" for i in (1, 2, 4)],
        "id": region,
        "groupNames": [region],
        "state": "available",
    }


def _vpc(_args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {
        "id": "vpc-0preview0000000000",
        "cidrBlock": "172.31.0.0/16",
        "default": True,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:vpc/vpc-0preview0000000000",
        "ownerId": ACCOUNT_ID,
        "state": "available",
    }


def _subnets(_args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {"ids": [f"subnet-0preview{i:012d}" for i in range(3)], "id": region}


HANDLERS: dict[str, Handler] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _azs,
    "aws:ec2/getVpc:getVpc": _vpc,
    "aws:ec2/getSubnets:getSubnets": _subnets,
}


def invoke(token: str, args: Mapping[str, Any], region: str) -> dict[str, Any]:
    handler = HANDLERS.get(token)
    return handler(args, region) if handler else {}
