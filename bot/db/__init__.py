"""Database layer: typed models, engine/session factory, migrations and repositories."""
