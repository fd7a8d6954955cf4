"""Which image references are the Datadog Agent (DESIGN.md section 3).

An image reference is `[registry/]repository[:tag][@digest]`. Matching is on the repository
alone (lower-cased), so any tag or digest of a listed repository is the Agent.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from functools import lru_cache

# Canonical repositories; Docker Hub ones without their registry (see `canonical_repository`).
AGENT_REPOSITORIES = frozenset(
    {
        "public.ecr.aws/datadog/agent",
        "gcr.io/datadoghq/agent",
        "eu.gcr.io/datadoghq/agent",
        "asia.gcr.io/datadoghq/agent",
        "registry.datadoghq.com/agent",
        "datadoghq.azurecr.io/agent",
        "datadog/agent",  # Docker Hub, also as docker.io/datadog/agent
    }
)

# Datadog images that are not the node Agent. Built-in matching is exact, so these only
# matter for user patterns: a pattern never turns one of them into the Agent.
NOT_AGENT_NAMES = frozenset(
    {
        "cluster-agent",
        "dogstatsd",
        "cws-instrumentation",
        "serverless-init",
        "agent-dev",
        "operator",
        "docker-dd-agent",  # Agent 5
    }
)

# Mirrors and pull-through caches keep the upstream path after their own prefix, e.g.
# 123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub/datadog/agent.
MIRRORED_SUFFIXES = ("/datadog/agent", "/datadoghq/agent")

_DOCKER_HUB_PREFIXES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


def split_image(ref: str) -> tuple[str, str | None, str | None]:
    """`repo:tag@digest` -> (repository, tag, digest). A `:` before the last `/` is a
    registry port (`localhost:5000/agent`), not a tag."""
    ref = ref.strip()
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    tag = None
    colon = ref.rfind(":")
    if colon > ref.rfind("/"):
        ref, tag = ref[:colon], ref[colon + 1 :]
    return ref, tag, digest


def canonical_repository(ref: str) -> str:
    """Lower-cased repository with Docker Hub's optional registry names removed."""
    repository = split_image(ref)[0].lower()
    for prefix in _DOCKER_HUB_PREFIXES:
        if repository.startswith(prefix):
            repository = repository[len(prefix) :]
            break
    return repository.removeprefix("library/")


@lru_cache(maxsize=64)
def _compile(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    # fnmatch's `*` crosses `/`, which is what a repository glob wants.
    return re.compile("|".join(fnmatch.translate(p.strip().lower()) for p in patterns))


def is_agent_image(ref: object, extra_patterns: Sequence[str] = ()) -> bool:
    """True if `ref` is a Datadog Agent image: a built-in repository, or a repository
    matching one of `extra_patterns` (globs, see README) unless it names a non-Agent image."""
    if not isinstance(ref, str) or not ref.strip():
        return False
    if not extra_patterns and "agent" not in ref.lower():
        # Every built-in repository (and mirror suffix) ends in "agent": most app images stop
        # here, before parsing the reference or a cache lookup keyed on it.
        return False
    return _is_agent_image(ref, tuple(extra_patterns))


@lru_cache(maxsize=1024)
def _is_agent_image(ref: str, extra_patterns: tuple[str, ...]) -> bool:
    repository = canonical_repository(ref)
    if repository in AGENT_REPOSITORIES or repository.endswith(MIRRORED_SUFFIXES):
        return True
    pattern = _compile(extra_patterns)
    if pattern is None:
        return False
    if repository.rsplit("/", 1)[-1] in NOT_AGENT_NAMES:
        return False
    raw_repository = split_image(ref)[0].lower()
    return bool(pattern.fullmatch(repository) or pattern.fullmatch(raw_repository))
