"""The MCP server a lead agent adds: upstream tools as `<server>__<tool>`, forwarded faithfully."""

from __future__ import annotations

from baton.gateway.catalog import SEPARATOR
from baton.gateway.server import Gateway

__all__ = ["SEPARATOR", "Gateway"]
