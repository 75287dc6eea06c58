"""The embedded default backend: SQLite store, in-process runner, user-configured assistants."""
