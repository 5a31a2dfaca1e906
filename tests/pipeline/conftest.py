"""Pipeline unit tests reuse the service fixtures (real Redis, SQLite and PostgreSQL)."""
