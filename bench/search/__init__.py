"""The catalog search benchmark: generated catalogs of 10k–1M records, generated queries, and
the project's engine measured against rapidfuzz, SQLite FTS5 and PostgreSQL pg_trgm."""
