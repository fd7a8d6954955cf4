"""Plugin entry of the `datadog-fargate` component package (see PulumiPlugin.yaml).

The Python language host runs `python <this directory> <engine-address>` in the plugin's `venv`.
The reference stack's program is elsewhere (Pulumi.yaml `main:`), so this file serves only the plugin.
"""

import sys
from pathlib import Path

try:
    from datadog_fargate.provider import main
except ImportError:  # the plugin venv has the dependencies but not this package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent / "components"))
    from datadog_fargate.provider import main

main()
