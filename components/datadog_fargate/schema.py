"""Print the package schema: `python -m datadog_fargate.schema > schema.json` regenerates it."""

import sys

from .provider import schema_json

if __name__ == "__main__":
    sys.stdout.write(schema_json())
