"""The SQL mirror: models, engine and migrations."""
