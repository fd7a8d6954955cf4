"""Fargate's task size table: which memory values each cpu value allows."""

from typing import Final


def _steps(start: int, stop: int, step: int) -> tuple[int, ...]:
    return tuple(range(start, stop + 1, step))


# cpu units -> allowed memory in MiB (AWS ECS developer guide, "Task CPU and memory").
TASK_SIZES: Final[dict[int, tuple[int, ...]]] = {
    256: (512, 1024, 2048),
    512: _steps(1024, 4096, 1024),
    1024: _steps(2048, 8192, 1024),
    2048: _steps(4096, 16384, 1024),
    4096: _steps(8192, 30720, 1024),
    8192: _steps(16384, 61440, 4096),
    16384: _steps(32768, 122880, 8192),
}

EPHEMERAL_STORAGE_GIB: Final = range(21, 201)


def describe_memory(cpu: int) -> str:
    """The allowed memory values for `cpu`, short enough for an error message."""
    values = TASK_SIZES[cpu]
    if len(values) <= 4:
        return ", ".join(str(v) for v in values)
    step = values[1] - values[0]
    return f"{values[0]}-{values[-1]} in steps of {step}"
