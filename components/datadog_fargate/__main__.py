"""`python -m datadog_fargate <engine-address>`: host the component package's provider."""

from .provider import main

main()
