"""Each rule's logic, mostly through the pure API; wire-shaped cases go through the pack."""

from __future__ import annotations

import copy

import pytest
from policy_testlib import (
    AGENT_IMAGE,
    NATIVE_TYPE,
    agent,
    app,
    classic,
    init,
    messages,
    run_policy,
    task,
)

READONLY = "ecs-readonly-root-filesystem"
MOUNTS = "datadog-agent-writable-mounts"
RECOMMENDED = "datadog-agent-recommended-mounts"
CONFIG_INIT = "datadog-agent-config-init"
VALID = "ecs-container-definitions-valid"


def test_a_complete_task_passes_every_policy():
    for policy in (READONLY, MOUNTS, RECOMMENDED, CONFIG_INIT, VALID):
        assert messages(task(), policy) == [], policy


# --- ecs-readonly-root-filesystem -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (False, "has readonlyRootFilesystem false."),
        ("true", 'has readonlyRootFilesystem "true" (a string), not the boolean true.'),
        (1, "has readonlyRootFilesystem 1 (a number), not the boolean true."),
        (1.0, "has readonlyRootFilesystem 1.0 (a number), not the boolean true."),
        ({"value": True}, "has readonlyRootFilesystem an object, not the boolean true."),
        ([True], "has readonlyRootFilesystem a list, not the boolean true."),
        (None, "has readonlyRootFilesystem unset"),
    ],
)
def test_readonly_must_be_exactly_boolean_true(value, shown):
    td = task(app(readonlyRootFilesystem=value), agent(), init())
    [message] = messages(td, READONLY)
    assert f"container 'app' {shown}" in message
    assert "Fix: set \"readonlyRootFilesystem\": true on container 'app'" in message


def test_readonly_missing_key():
    container = app()
    del container["readonlyRootFilesystem"]
    [message] = messages(task(container, agent(), init()), READONLY)
    assert "has readonlyRootFilesystem unset (ECS then defaults to false" in message


@pytest.mark.parametrize("value", [1, 1.0, "true", False])
def test_readonly_wire_numbers_and_strings_fail_through_the_pack(value):
    """Over the wire 1 arrives as 1.0; True stays a bool. Neither 1 nor 1.0 is true."""
    td = task(app(readonlyRootFilesystem=value), agent(), init())
    for props, resource_type in (
        (classic(td), "aws:ecs/taskDefinition:TaskDefinition"),
        (td, NATIVE_TYPE),
    ):
        result = run_policy(READONLY, props, resource_type)
        assert len(result.violations) == 1 and "container 'app'" in result.violations[0]


def test_one_violation_per_offending_container():
    td = task(
        app(readonlyRootFilesystem=False),
        app("worker", readonlyRootFilesystem=None),
        agent(),
        init(),
    )
    found = messages(td, READONLY)
    assert len(found) == 2
    assert "'app'" in found[0] and "'worker'" in found[1]


@pytest.mark.parametrize(
    "typo",
    [
        "readOnlyRootFilesystem",
        "ReadonlyRootFilesystem",
        "readonlyRootFileSystem",
        "readonlyRootFilesytem",
    ],
)
def test_misspelled_readonly_key_is_named(typo):
    container = app()
    del container["readonlyRootFilesystem"]
    container[typo] = True
    [message] = messages(task(container, agent(), init()), READONLY)
    assert f'It has the key "{typo}" instead' in message
    [valid] = messages(task(container, agent(), init()), VALID)
    assert (
        f'"{typo}" is not an ECS container definition key; did you mean "readonlyRootFilesystem"?'
        in valid
    )


def test_readonly_container_label_without_a_name():
    container = app()
    del container["name"]
    container["readonlyRootFilesystem"] = False
    [message] = messages(task(container, agent(), init()), READONLY)
    assert "container containerDefinitions[0] has readonlyRootFilesystem false" in message


# --- datadog-agent-writable-mounts / recommended --------------------------------------------


def mounts_without(path: str, **extra: object) -> list[dict[str, object]]:
    return [m for m in agent()["mountPoints"] if m["containerPath"] != path]


@pytest.mark.parametrize(
    "path", ["/etc/datadog-agent", "/opt/datadog-agent/run", "/var/run/datadog"]
)
def test_each_required_path_is_required(path):
    td = task(app(), agent(mountPoints=mounts_without(path)), init())
    [message] = messages(td, MOUNTS)
    assert f"Not satisfied: {path} (" in message and "no mount point" in message
    assert f'"containerPath": "{path}", "readOnly": false' in message
    assert messages(td, RECOMMENDED) == []


@pytest.mark.parametrize("path", ["/tmp", "/var/log/datadog"])
def test_each_recommended_path_is_recommended(path):
    td = task(app(), agent(mountPoints=mounts_without(path)), init())
    assert messages(td, MOUNTS) == []
    [message] = messages(td, RECOMMENDED)
    assert "should have a writable task volume" in message and path in message


def test_trailing_and_double_slashes_are_normalized():
    mounts = copy.deepcopy(agent()["mountPoints"])
    for mount in mounts:
        mount["containerPath"] = "/" + mount["containerPath"] + "/"
    assert messages(task(app(), agent(mountPoints=mounts), init()), MOUNTS) == []


def test_read_only_mount_is_not_writable():
    mounts = copy.deepcopy(agent()["mountPoints"])
    mounts[1]["readOnly"] = True
    [message] = messages(task(app(), agent(mountPoints=mounts), init()), MOUNTS)
    assert "/opt/datadog-agent/run (runtime state): volume 'dd-run' is mounted read-only" in message
    assert (
        "set \"readOnly\": false (or drop it) on the mount of 'dd-run' at /opt/datadog-agent/run"
        in message
    )


def test_read_only_false_and_non_boolean_read_only_count_as_writable():
    mounts = copy.deepcopy(agent()["mountPoints"])
    mounts[0]["readOnly"] = False
    mounts[1]["readOnly"] = "true"  # not `readOnly: true`; the validity policy reports the type
    td = task(app(), agent(mountPoints=mounts), init())
    assert messages(td, MOUNTS) == []
    assert any(
        'readOnly is "true" (a string); ECS expects a boolean' in m for m in messages(td, VALID)
    )


def test_mount_of_an_undefined_volume_does_not_count():
    volumes = [{"name": v} for v in ("dd-config", "dd-run", "dd-tmp", "dd-logs")]
    [message] = messages(task(app(), agent(), init(), volumes=volumes), MOUNTS)
    assert (
        "volume 'dd-sockets' is mounted but not defined in the task definition's volumes" in message
    )
    assert 'add to the task definition\'s "volumes": {"name": "dd-sockets"}' in message


def test_parent_directory_mount_does_not_count():
    mounts = mounts_without("/opt/datadog-agent/run")
    mounts.append({"sourceVolume": "dd-run", "containerPath": "/opt/datadog-agent"})
    [message] = messages(task(app(), agent(mountPoints=mounts), init()), MOUNTS)
    assert "/opt/datadog-agent/run (runtime state): no mount point" in message


def test_suggested_volume_names_avoid_existing_ones():
    volumes = [{"name": "datadog-run"}, *({"name": v} for v in ("dd-config", "dd-sockets"))]
    td = task(
        app(),
        agent(mountPoints=mounts_without("/opt/datadog-agent/run")),
        init(),
        volumes=[*volumes, {"name": "dd-tmp"}, {"name": "dd-logs"}],
    )
    [message] = messages(td, MOUNTS)
    assert '{"name": "datadog-run-2"}' in message


@pytest.mark.parametrize("bad", ["/etc/datadog-agent", 7, None, {"a": 1}])
def test_mount_points_of_the_wrong_type_mean_no_mounts(bad):
    [message] = messages(task(app(), agent(mountPoints=bad), init()), MOUNTS)
    assert "/etc/datadog-agent (config): no mount point" in message


def test_init_container_needs_no_agent_mounts():
    # datadog-init is waited on with SUCCESS, so it is not checked as the Agent.
    assert messages(task(), MOUNTS) == []


def test_complete_also_makes_an_init_container():
    td = task(
        app(), agent(dependsOn=[{"containerName": "datadog-init", "condition": "COMPLETE"}]), init()
    )
    assert messages(td, MOUNTS) == []


def test_start_does_not_make_an_init_container():
    td = task(
        app(), agent(dependsOn=[{"containerName": "datadog-init", "condition": "START"}]), init()
    )
    [message] = messages(td, MOUNTS)
    assert "Datadog Agent container 'datadog-init'" in message


def test_every_agent_is_checked():
    td = task(app(), agent(), agent("second-agent", mountPoints=[]), init())
    [message] = messages(td, MOUNTS)
    assert "'second-agent'" in message


def test_non_agent_datadog_images_are_not_checked():
    td = task(app(), app("cluster", image="public.ecr.aws/datadog/cluster-agent:7", mountPoints=[]))
    assert messages(td, MOUNTS) == messages(td, CONFIG_INIT) == []


def test_no_agent_means_nothing_to_check():
    td = task(app())
    for policy in (MOUNTS, RECOMMENDED, CONFIG_INIT):
        assert messages(td, policy) == []


# --- datadog-agent-config-init ---------------------------------------------------------------


def test_init_must_not_be_essential_and_essential_defaults_to_true():
    container = init()
    del container["essential"]
    td = task(app(), agent(), container)
    [message] = messages(td, CONFIG_INIT)
    assert (
        "init container 'datadog-init': 'datadog-init' is essential (essential defaults to true)"
        in message
    )
    # The validity policy sees the same mistake from the dependsOn side.
    assert any("'datadog-init' is essential" in m for m in messages(td, VALID))


def test_agent_must_depend_on_init_with_success():
    # Nobody waits on datadog-init now, so it counts as an Agent too; its finding says why.
    found = messages(task(app(), agent(dependsOn=[]), init()), CONFIG_INIT)
    assert len(found) == 2
    message, as_agent = found
    assert "Datadog Agent container 'datadog-init' has no volume" in as_agent
    assert "'datadog-init' is non-essential: if it is an init container, make the Agent" in as_agent
    assert "'datadog-agent' does not dependsOn 'datadog-init' with condition SUCCESS" in message
    assert '"dependsOn": [{"containerName": "datadog-init", "condition": "SUCCESS"}]' in message


def test_complete_is_not_enough():
    td = task(
        app(), agent(dependsOn=[{"containerName": "datadog-init", "condition": "COMPLETE"}]), init()
    )
    [message] = messages(td, CONFIG_INIT)
    assert 'with condition "COMPLETE", not SUCCESS' in message


def test_init_mounting_the_volume_read_only_cannot_seed():
    mounts = [
        {
            "sourceVolume": "dd-config",
            "containerPath": "/opt/datadog-agent-config",
            "readOnly": True,
        }
    ]
    [message] = messages(task(app(), agent(), init(mountPoints=mounts)), CONFIG_INIT)
    assert "'datadog-init' mounts 'dd-config' read-only" in message


def test_init_may_mount_the_volume_at_any_path():
    mounts = [{"sourceVolume": "dd-config", "containerPath": "/seed"}]
    assert messages(task(app(), agent(), init(mountPoints=mounts)), CONFIG_INIT) == []


@pytest.mark.parametrize("path", ["/etc/datadog-agent", "/etc/datadog-agent/", "/etc"])
def test_init_mounting_the_volume_over_the_defaults_cannot_seed(path):
    """The volume would hide the very files the init container should copy into it."""
    mounts = [{"sourceVolume": "dd-config", "containerPath": path}]
    [message] = messages(task(app(), agent(), init(mountPoints=mounts)), CONFIG_INIT)
    assert "hides the image's /etc/datadog-agent defaults" in message
    assert "/opt/datadog-agent-config" in message


def test_init_from_a_non_agent_image_does_not_seed():
    td = task(app(), agent(), init(image="busybox:1.36"))
    [message] = messages(td, CONFIG_INIT)
    assert "no other container from a Datadog Agent image mounts 'dd-config'" in message
    assert f'"image": "{AGENT_IMAGE}"' in message
    assert "cp -R /etc/datadog-agent/* /opt/datadog-agent-config/" in message


def test_init_mounting_another_volume_does_not_seed():
    mounts = [{"sourceVolume": "dd-tmp", "containerPath": "/opt/datadog-agent-config"}]
    [message] = messages(task(app(), agent(), init(mountPoints=mounts)), CONFIG_INIT)
    assert "nothing seeds it" in message


def test_agent_without_config_volume_gets_the_full_fix():
    [message] = messages(task(app(), agent(mountPoints=[]), init()), CONFIG_INIT)
    assert "has no volume at /etc/datadog-agent" in message
    assert '"name": "datadog-config-init"' in message  # datadog-init is taken


def test_best_candidate_is_reported():
    deps = [{"containerName": n, "condition": "COMPLETE"} for n in ("init-a", "init-b")]
    td = task(app(), agent(dependsOn=deps), init("init-a", essential=True), init("init-b"))
    [message] = messages(td, CONFIG_INIT)
    # init-b has one problem (COMPLETE), init-a two (also essential): init-b is the one to fix.
    assert "init container 'init-b': 'datadog-agent' depends on 'init-b' with condition" in message
    assert "'init-a'" not in message
    assert '"containerName": "init-b", "condition": "SUCCESS"' in message


# --- ecs-container-definitions-valid ---------------------------------------------------------


def valid_messages(*containers: object, **kwargs: object) -> list[str]:
    return messages(task(*containers, **kwargs), VALID)  # type: ignore[arg-type]


def test_integral_floats_are_integers_but_fractions_are_not():
    assert valid_messages(app(cpu=256.0, memory=512.0), agent(), init()) == []
    [message] = valid_messages(app(cpu=1.5), agent(), init())
    assert "container 'app': cpu is 1.5 (a number); ECS expects an integer" in message


def test_wire_floats_pass_through_the_pack():
    td = task(
        app(cpu=256, portMappings=[{"containerPort": 8080, "protocol": "tcp"}]), agent(), init()
    )
    assert run_policy(VALID, td, NATIVE_TYPE).violations == []
    assert run_policy(VALID, classic(td)).violations == []


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"cpu": True}, "cpu is true (a boolean); ECS expects an integer"),
        ({"essential": "yes"}, 'essential is "yes" (a string); ECS expects a boolean (true/false)'),
        ({"mountPoints": "dd-tmp"}, 'mountPoints is "dd-tmp" (a string); ECS expects a list'),
        ({"environment": {"A": "b"}}, "environment is an object; ECS expects a list"),
        (
            {"secrets": [{"name": "DD_API_KEY"}]},
            'secrets[0] is missing the required key "valueFrom"',
        ),
        (
            {"readonlyRootFilesystem": {"x": 1}},
            "readonlyRootFilesystem is an object; ECS expects a boolean",
        ),
        (
            {"healthCheck": {"command": ["CMD", "true"], "intervall": 30}},
            '"healthCheck.intervall" is not an ECS container definition key; did you mean "interval"?',
        ),
    ],
)
def test_model_type_errors(override, expected):
    found = valid_messages(app(**override), agent(), init())
    assert any(expected in m for m in found), found


def test_json_null_means_not_set():
    assert valid_messages(app(memory=None, cpu=None), agent(), init()) == []


@pytest.mark.parametrize("key", ["name", "image"])
def test_name_and_image_are_required(key):
    container = app()
    del container[key]
    found = valid_messages(container, agent(), init())
    assert any(f'"{key}" is required' in m for m in found)


def test_mount_point_naming_an_undefined_volume():
    [message] = valid_messages(
        app(mountPoints=[{"sourceVolume": "nope", "containerPath": "/x"}]), agent(), init()
    )
    assert (
        "container 'app': mountPoints[0] uses volume 'nope', which is not in the task definition's volumes"
        in message
    )


def test_depends_on_a_missing_container():
    [message] = valid_messages(
        app(dependsOn=[{"containerName": "ghost", "condition": "START"}]), agent(), init()
    )
    assert "dependsOn[0] names container 'ghost', which is not in this task" in message


def test_success_on_an_essential_container():
    found = valid_messages(
        app(dependsOn=[{"containerName": "datadog-agent", "condition": "SUCCESS"}]), agent(), init()
    )
    assert any(
        "waits for 'datadog-agent' to exit (SUCCESS), but 'datadog-agent' is essential" in m
        for m in found
    )


def test_healthy_needs_a_health_check():
    found = valid_messages(
        app(dependsOn=[{"containerName": "datadog-agent", "condition": "HEALTHY"}]), agent(), init()
    )
    assert any("HEALTHY, but 'datadog-agent' has no healthCheck" in m for m in found)
    checked = agent(healthCheck={"command": ["CMD-SHELL", "agent health"], "interval": 30})
    assert (
        valid_messages(
            app(dependsOn=[{"containerName": "datadog-agent", "condition": "HEALTHY"}]),
            checked,
            init(),
        )
        == []
    )


def test_invalid_condition_value():
    found = valid_messages(
        app(dependsOn=[{"containerName": "datadog-agent", "condition": "success"}]), agent(), init()
    )
    assert any(
        'has condition "success"; ECS accepts START, COMPLETE, SUCCESS, HEALTHY' in m for m in found
    )


def test_duplicate_container_names():
    found = valid_messages(app(), app(), agent(), init())
    assert any("duplicate container name 'app' (also containerDefinitions[0])" in m for m in found)


def test_empty_container_definitions():
    assert messages({"family": "x", "containerDefinitions": []}, VALID) == [
        "task definition 'x': containerDefinitions is empty; a task needs at least one container"
    ]


def test_pascal_case_keys_get_the_camel_case_suggestion():
    found = valid_messages({"Name": "x", "Image": "nginx", "readonlyRootFilesystem": True})
    assert any(
        '"Name" is not an ECS container definition key; did you mean "name"?' in m for m in found
    )
