"""Which upstream serves a resource URI, learned from the upstreams' own listings."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ResourceMap"]


@dataclass
class ResourceMap:
    """Remembers which server listed which resource URI or URI template."""

    _uris: dict[str, str] = field(default_factory=dict)
    _templates: list[tuple[str, str]] = field(default_factory=list)

    def learn_uris(self, server: str, uris: list[str]) -> None:
        """Record the resources `server` listed."""
        for uri in uris:
            self._uris[uri] = server

    def learn_templates(self, server: str, templates: list[str]) -> None:
        """Record the URI templates `server` listed (matched on their literal prefix)."""
        for template in templates:
            prefix = template.split("{", 1)[0]
            self._templates = [(p, s) for p, s in self._templates if p != prefix]
            self._templates.append((prefix, server))
        self._templates.sort(key=lambda entry: len(entry[0]), reverse=True)

    def server_for(self, uri: str) -> str | None:
        """The server known to hold `uri`, or None."""
        if uri in self._uris:
            return self._uris[uri]
        for prefix, server in self._templates:
            if prefix and uri.startswith(prefix):
                return server
        return None
