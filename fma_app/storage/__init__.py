"""The model file: SQLite through sqlmodel, atomic save, schema versions and migrations."""
