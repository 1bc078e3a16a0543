"""Backups of the whole database: `ops backup` and `ops restore` (SQLite online backup; PostgreSQL
through pg_dump / pg_restore)."""
