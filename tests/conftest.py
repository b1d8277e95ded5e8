"""Shared pytest setup: the provider test harness's fixtures (local_server, provider, stack)."""

pytest_plugins = ["deltastream_pulumi.testing.pytest_plugin"]
