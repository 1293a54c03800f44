"""The `baton.toml` schema: every section of DESIGN.md's config contract, every value defaulted."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from baton.config.kinds import KINDS, LEAD_KINDS, normalise_kind

__all__ = [
    "BatonConfig",
    "GateConfig",
    "LedgerConfig",
    "OAuthConfig",
    "PolicyConfig",
    "ReportConfig",
    "ReviewConfig",
    "RoutingConfig",
    "ServeAuthConfig",
    "ServeConfig",
    "ServerConfig",
    "TransportName",
    "WorkerConfig",
]

TransportName = Literal["auto", "stdio", "streamable-http", "sse"]

# Codex's own defaults for [mcp_servers.*], so an imported file behaves as it did under Codex.
DEFAULT_STARTUP_TIMEOUT_SEC = 10.0
DEFAULT_TOOL_TIMEOUT_SEC = 60.0
# What a jailed worker keeps from Baton's environment by default: its home, credentials, locale.
WORKER_ENV_VARS = (
    "CODEX_HOME",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "CODEX_API_KEY",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "LANG",
    "LC_ALL",
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class OAuthConfig(_Section):
    """`[servers.NAME.oauth]`: optional OAuth client settings (discovery needs none of them)."""

    client_id: str | None = Field(default=None, description="a pre-registered client id")
    client_secret_env_var: str | None = Field(
        default=None, description="env var holding the pre-registered client's secret"
    )
    token_endpoint_auth_method: Literal["none", "client_secret_basic", "client_secret_post"] = (
        "client_secret_basic"
    )
    client_metadata_url: str | None = Field(
        default=None, description="an https URL of Baton's client ID metadata document"
    )


class ServerConfig(_Section):
    """One upstream MCP server: the keys of Codex's `[mcp_servers.NAME]`, plus `transport`."""

    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    cwd: Path | None = None
    url: str | None = None
    transport: TransportName = "auto"
    bearer_token_env_var: str | None = None
    http_headers: dict[str, str] = Field(default_factory=dict)
    env_http_headers: dict[str, str] = Field(
        default_factory=dict, description="header name -> name of the env var holding its value"
    )
    startup_timeout_sec: float = Field(default=DEFAULT_STARTUP_TIMEOUT_SEC, gt=0)
    tool_timeout_sec: float = Field(default=DEFAULT_TOOL_TIMEOUT_SEC, gt=0)
    enabled: bool = True
    enabled_tools: list[str] | None = None
    disabled_tools: list[str] = Field(default_factory=list)
    oauth: OAuthConfig | None = None

    @model_validator(mode="after")
    def _command_xor_url(self) -> ServerConfig:
        if (self.command is None) == (self.url is None):
            raise ValueError("set exactly one of `command` (a local stdio server) or `url`")
        if self.command is not None and self.transport not in ("auto", "stdio"):
            raise ValueError(f"transport '{self.transport}' needs `url`, not `command`")
        if self.url is not None and self.transport == "stdio":
            raise ValueError("transport 'stdio' needs `command`, not `url`")
        if self.command is not None and (self.bearer_token_env_var or self.http_headers):
            raise ValueError("`bearer_token_env_var` and `http_headers` apply to `url` servers")
        return self

    @property
    def is_stdio(self) -> bool:
        """True for a local server started as a subprocess."""
        return self.command is not None

    def exposes_tool(self, tool: str) -> bool:
        """Whether `enabled_tools` / `disabled_tools` let this tool through."""
        if self.enabled_tools is not None and tool not in self.enabled_tools:
            return False
        return tool not in self.disabled_tools


class WorkerConfig(_Section):
    """A worker agent: which adapter drives it and which server or command it uses."""

    adapter: Literal["codex-mcp", "codex-exec", "mcp-tool", "cli"] = "codex-exec"
    server: str | None = None
    tool: str | None = None
    command: list[str] = Field(default_factory=list)
    model: str | None = None
    timeout_sec: float = Field(
        default=1800.0, gt=0, description="one worker call, start to final message"
    )
    env: dict[str, str] = Field(
        default_factory=dict, description="variables set for the worker (inside its jail too)"
    )
    env_vars: list[str] = Field(
        default_factory=lambda: list(WORKER_ENV_VARS),
        description="variables passed through from Baton's environment into the worker's jail",
    )


class PolicyConfig(_Section):
    """The one policy every enforcement point is derived from (seed 000's defaults)."""

    denied_paths: list[str] = Field(
        default_factory=lambda: [".env", ".env.*", "**/secrets/**", "*.pem", "*.key"]
    )
    protected_paths: list[str] = Field(default_factory=lambda: [".claude/**", "infra/**"])
    denied_commands: list[str] = Field(
        default_factory=lambda: ["force-push", "reset-hard", "rm-root", "privilege", "upload"],
        description="ids of the command rules in baton.policy.commands that are enforced",
    )
    architecture_rules: list[str] = Field(default_factory=list)
    scope_rules: list[str] = Field(default_factory=list)
    redact_secrets: bool = Field(
        default=True, description="replace secrets in tool results passing through the gateway"
    )
    redact_high_entropy: bool = Field(
        default=True, description="also replace long random-looking strings, not only known tokens"
    )
    redact_patterns: dict[str, str] = Field(
        default_factory=dict, description="extra secret formats: name -> regular expression"
    )
    allow_unjailed_worker: bool = Field(
        default=False,
        description="run the worker without bubblewrap when it is missing (it can then read "
        "everything you can)",
    )


class RoutingConfig(_Section):
    """How tasks are routed between lead and worker."""

    modules: list[str] = Field(default_factory=lambda: ["src/*", "packages/*", "apps/*"])
    security_keywords: list[str] = Field(
        default_factory=lambda: [
            *("auth", "authentication", "authorization", "oauth", "login", "password", "secret"),
            *("token", "credential", "crypto", "encryption", "permission", "jwt", "csrf"),
        ],
        description="a word (or its plural) in the goal, scope or criteria that marks the task",
    )
    security_paths: list[str] = Field(default_factory=lambda: ["**/auth/**", "**/security/**"])
    lead_kinds: list[str] = Field(
        default_factory=lambda: list(LEAD_KINDS),
        description="task kinds the lead keeps (seed 000's routing table); the rest may go out",
    )

    @field_validator("lead_kinds")
    @classmethod
    def _canonical_kinds(cls, kinds: list[str]) -> list[str]:
        canonical = [normalise_kind(kind) for kind in kinds]
        for given, kind in zip(kinds, canonical, strict=True):
            if kind is None:
                raise ValueError(f"unknown kind {given!r}; use: {', '.join(KINDS)}")
        return [kind for kind in canonical if kind is not None]


class ReviewConfig(_Section):
    """The retry loop: how many attempts and what is retried."""

    max_attempts: int = Field(default=2, ge=1)
    retry_on_quality: bool = False
    auto_apply: bool = False
    on_lead_disconnect: Literal["cancel", "continue"] = Field(
        default="cancel",
        description="a gateway delegation whose lead goes away: stop it, or finish and record it",
    )


class ReportConfig(_Section):
    """`[report]`: the targets `baton report` checks (seed 000's E2E table); rates are 0-1."""

    gate_pass_rate_min: float = Field(
        default=1.0, ge=0, le=1, description="met when the gate pass rate is at least this"
    )
    fallback_rate_max: float = Field(
        default=0.30, gt=0, le=1, description="met when the fallback rate is below this"
    )
    mean_retries_max: float = Field(
        default=1.0, gt=0, description="met when the mean retries per run are below this"
    )
    completion_min: float = Field(
        default=1.0, ge=0, le=1, description="met when the completion rate is at least this"
    )


class GateConfig(_Section):
    """One quality gate: a named command run in the workspace."""

    name: str
    command: str
    read_only: bool = True


class LedgerConfig(_Section):
    """Where runs are recorded."""

    path: Path = Path(".baton/ledger.db")


class ServeAuthConfig(_Section):
    """`[serve.auth]`: who may use `baton serve --transport http`. A static bearer token from the
    environment, or OAuth resource-server mode (`issuer` + `resource`, tokens validated as JWTs
    against the issuer's JWKS or by introspection). None of it: loopback binds only."""

    bearer_token_env_var: str | None = None
    issuer: str | None = Field(default=None, description="the authorization server's issuer URL")
    resource: str | None = Field(
        default=None, description="this gateway's public MCP URL: the tokens' audience"
    )
    jwks_url: str | None = Field(default=None, description="default: the issuer's `jwks_uri`")
    introspection_url: str | None = Field(default=None, description="RFC 7662, instead of JWTs")
    introspection_client_id: str | None = None
    introspection_client_secret_env_var: str | None = None
    required_scopes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_mode(self) -> ServeAuthConfig:
        if self.bearer_token_env_var and self.issuer:
            raise ValueError("set `bearer_token_env_var` or `issuer`, not both")
        if self.issuer and not self.resource:
            raise ValueError("`issuer` needs `resource`, the gateway's public URL (e.g. .../mcp)")
        return self


class ServeConfig(_Section):
    """`[serve]`: how `baton serve` serves leads."""

    auth: ServeAuthConfig = Field(default_factory=ServeAuthConfig)


class BatonConfig(_Section):
    """The whole `baton.toml`; `sources` lists the files it was read from, lowest first."""

    servers: dict[str, ServerConfig] = Field(default_factory=dict)
    workers: dict[str, WorkerConfig] = Field(default_factory=dict)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    gates: list[GateConfig] = Field(default_factory=list)
    ledger: LedgerConfig = Field(default_factory=LedgerConfig)
    serve: ServeConfig = Field(default_factory=ServeConfig)
    sources: list[Path] = Field(default_factory=list, exclude=True)
    project_file: Path | None = Field(
        default=None, exclude=True, description="the project baton.toml, when one was read"
    )

    def enabled_servers(self) -> dict[str, ServerConfig]:
        """The servers with `enabled = true`, in file order."""
        return {name: server for name, server in self.servers.items() if server.enabled}
