"""`baton demo`'s delegation demo: a sample project, six delegations, a scripted model.

`sample` writes the project (a small Python service with tests and a `baton.toml`), `tasks` holds
the six delegations in the seed's template, `run` drives them through the real pipeline, and
`scripted_model` is the model: a local OpenAI Responses API server answering each task from its
script in `scripts`. Everything else in a demo run is real: the Codex CLI, bubblewrap, git,
SQLite and pytest.
"""
