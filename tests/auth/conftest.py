"""Fixtures for the authorization tests: real servers, the real `baton` CLI, no mocks."""

from __future__ import annotations

from tests.upstream.conftest import http_server

__all__ = ["http_server"]
