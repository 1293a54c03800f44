"""The MCP conformance suite against the fixture server, directly and through Baton."""
