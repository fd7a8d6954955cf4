"""Which image references are the Datadog Agent (DESIGN.md section 3)."""

from __future__ import annotations

import pytest
from ecs_readonly_datadog.images import canonical_repository, is_agent_image, split_image

DIGEST = "sha256:" + "a" * 64
REGISTRIES = [
    "public.ecr.aws/datadog/agent",
    "gcr.io/datadoghq/agent",
    "eu.gcr.io/datadoghq/agent",
    "asia.gcr.io/datadoghq/agent",
    "registry.datadoghq.com/agent",
    "datadoghq.azurecr.io/agent",
    "docker.io/datadog/agent",
    "datadog/agent",
    "index.docker.io/datadog/agent",
    "registry-1.docker.io/datadog/agent",
]
REFERENCE_FORMS = [
    "{}",
    "{}:7",
    "{}:7.86.0",
    "{}:latest",
    "{}:7-jmx",
    "{}@" + DIGEST,
    "{}:7.86.0@" + DIGEST,
]


@pytest.mark.parametrize("registry", REGISTRIES)
@pytest.mark.parametrize("form", REFERENCE_FORMS)
def test_every_listed_registry_with_any_tag_or_digest_is_the_agent(registry, form):
    assert is_agent_image(form.format(registry))


@pytest.mark.parametrize("registry", ["PUBLIC.ECR.AWS/Datadog/Agent:7", " datadog/agent:7 "])
def test_matching_ignores_case_and_surrounding_space(registry):
    assert is_agent_image(registry)


NOT_AGENT = [
    "cluster-agent",
    "dogstatsd",
    "cws-instrumentation",
    "serverless-init",
    "agent-dev",
    "operator",
    "docker-dd-agent",
]


@pytest.mark.parametrize("name", NOT_AGENT)
@pytest.mark.parametrize(
    "registry",
    ["public.ecr.aws/datadog", "gcr.io/datadoghq", "datadog", "registry.datadoghq.com"],
)
def test_other_datadog_images_are_not_the_agent(name, registry):
    assert not is_agent_image(f"{registry}/{name}:7")
    # ...not even when a user pattern would match them.
    assert not is_agent_image(f"{registry}/{name}:7", ["*"])


@pytest.mark.parametrize(
    "image",
    [
        "nginx:1.27",
        "public.ecr.aws/datadog/agent-fork:7",
        "public.ecr.aws/other/agent:7",
        "example.com/datadog/agent-fork:7",
        "datadog/agent-dev:nightly",
        "",
        "   ",
    ],
)
def test_lookalikes_are_not_the_agent(image):
    assert not is_agent_image(image)


@pytest.mark.parametrize(
    "value", [None, 7, 7.0, True, {"image": "datadog/agent"}, ["datadog/agent"]]
)
def test_non_strings_are_never_the_agent(value):
    assert not is_agent_image(value)


@pytest.mark.parametrize(
    ("image", "patterns", "expected"),
    [
        (
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/datadog-agent:7",
            ["123456789012.dkr.ecr.*.amazonaws.com/mirror/datadog-agent"],
            True,
        ),
        (
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/datadog-agent@" + DIGEST,
            ["*/mirror/datadog-agent"],
            True,
        ),
        ("Registry.Example.com/DD/Agent:7", ["registry.example.com/dd/agent"], True),
        ("registry.example.com/dd/agent:7", ["registry.example.com/dd/agent:7"], False),
        ("registry.example.com/dd/agent:7", ["other.example.com/*"], False),
        ("localhost:5000/agent:7", ["localhost:5000/agent"], True),
        ("docker.io/myorg/agent:7", ["myorg/agent"], True),
        ("docker.io/myorg/agent:7", ["docker.io/myorg/agent"], True),
    ],
)
def test_agent_image_patterns_are_globs_on_the_repository(image, patterns, expected):
    assert is_agent_image(image, patterns) is expected


@pytest.mark.parametrize(
    ("ref", "parts"),
    [
        ("datadog/agent", ("datadog/agent", None, None)),
        ("datadog/agent:7", ("datadog/agent", "7", None)),
        ("localhost:5000/agent", ("localhost:5000/agent", None, None)),
        ("localhost:5000/agent:7", ("localhost:5000/agent", "7", None)),
        ("a/b@" + DIGEST, ("a/b", None, DIGEST)),
        ("a/b:1@" + DIGEST, ("a/b", "1", DIGEST)),
    ],
)
def test_split_image(ref, parts):
    assert split_image(ref) == parts


def test_canonical_repository_drops_docker_hub_registry_names():
    assert canonical_repository("index.docker.io/datadog/agent:7") == "datadog/agent"
    assert canonical_repository("docker.io/library/busybox") == "busybox"


@pytest.mark.parametrize(
    "ref",
    [
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub/datadog/agent:7.84.6",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/datadog/agent@sha256:" + "a" * 64,
        "artifactory.example.com/gcr/datadoghq/agent:7",
    ],
)
def test_mirrors_and_pull_through_caches_of_the_agent_are_the_agent(ref):
    assert is_agent_image(ref)


@pytest.mark.parametrize(
    "ref",
    [
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub/datadog/cluster-agent:7.84.0",
        "registry.example.com/acme/agent:1.0",
    ],
)
def test_mirrors_of_other_images_are_not(ref):
    assert not is_agent_image(ref)
