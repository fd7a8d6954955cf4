"""Offline tooling for the Datadog-on-Fargate project: the ``dd-fargate`` command.

``preview`` runs a Pulumi program under Pulumi's mock engine and sends every registration
through a real policy pack process over the analyzer gRPC protocol; ``check`` runs the same
rules directly on task definition files.
"""
