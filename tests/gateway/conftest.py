"""Fixtures the gateway tests share with the upstream tests."""

from tests.upstream.conftest import http_server

__all__ = ["http_server"]
