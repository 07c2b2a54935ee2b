"""The shared store's tables on PostgreSQL, built from the SQLModel classes of the model file.

Every table of `storage/schema.py` is copied into the PostgreSQL schema `fma` (apart from any
other application's tables in `public`) with the model's key in front: its primary key becomes
(model_key, id), each foreign key names the model key too (a row can only point into its own
model), and every row belongs to a `shared_models` row, whose deletion takes the model's rows
with it. CHECK constraints are those of the classes that are portable or written for
PostgreSQL. `fma_schema` holds the schema version, as `PRAGMA user_version` does in a file.

Importing this module imports SQLAlchemy (about half a second): `compile_sql.py` compiles the
statements ahead of time into `compiled_sql.SHARED_CREATE_SQL`, which is what push runs.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.schema import CreateIndex, CreateSchema, CreateTable, DefaultClause

from fma_app.storage import schema
from fma_app.storage.shared.location import MODEL_KEY

SCHEMA_NAME = "fma"
MODEL_KEY_COLUMN = "model_key"
_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def _for_postgresql(constraint: CheckConstraint) -> bool:
    return bool(constraint.info.get("dialect", "postgresql") == "postgresql")


def _shared_table(table: Table, metadata: MetaData) -> Table:
    """`table` with the model key in front of its columns, keys and references."""
    columns = [Column(MODEL_KEY_COLUMN, Text, nullable=False)]
    for column in table.columns:
        default = column.server_default
        columns.append(
            Column(
                column.name,
                column.type,
                nullable=column.nullable,
                autoincrement=False,
                server_default=default.arg if isinstance(default, DefaultClause) else None,  # type: ignore[arg-type]
            )
        )
    checks = [
        CheckConstraint(str(constraint.sqltext))
        for constraint in sorted(
            (c for c in table.constraints if isinstance(c, CheckConstraint)),
            key=lambda c: str(c.sqltext),
        )
        if _for_postgresql(constraint)
    ]
    references = [
        ForeignKeyConstraint(
            [MODEL_KEY_COLUMN, key.parent.name],
            [
                f"{SCHEMA_NAME}.{key.column.table.name}.{MODEL_KEY_COLUMN}",
                f"{SCHEMA_NAME}.{key.column.table.name}.{key.column.name}",
            ],
        )
        for key in sorted(table.foreign_keys, key=lambda key: key.parent.name)
    ]
    owner = ForeignKeyConstraint(
        [MODEL_KEY_COLUMN], [f"{SCHEMA_NAME}.shared_models.key"], ondelete="CASCADE"
    )
    key = PrimaryKeyConstraint(MODEL_KEY_COLUMN, *(c.name for c in table.primary_key.columns))
    shared = Table(table.name, metadata, *columns, key, *checks, *references, owner)
    # A reference's columns indexed (unless they are the primary key): deleting a component or
    # a whole model checks every row that could point at it, which is otherwise a scan per row.
    for reference in references:
        names = [column.name for column in reference.columns]
        if names != [column.name for column in shared.primary_key.columns]:
            Index(f"{table.name}_{names[1]}_index", *(shared.c[name] for name in names))
    return shared


def build_metadata() -> MetaData:
    """Every table of the shared store, in creation order."""
    metadata = MetaData(schema=SCHEMA_NAME)
    Table(
        "fma_schema",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("version", Integer, nullable=False),
        CheckConstraint("id = 1"),
    )
    Table(
        "shared_models",
        metadata,
        Column("key", Text, primary_key=True),
        Column(
            "created_at", TIMESTAMP(timezone=True), nullable=False, server_default=text("now()")
        ),
        Column(
            "changed_at", TIMESTAMP(timezone=True), nullable=False, server_default=text("now()")
        ),
        Column("changed_by", Text, nullable=False),
        CheckConstraint(f"key ~ '^{MODEL_KEY.pattern}$'"),
    )
    for table in schema.TABLES:
        _shared_table(table, metadata)
    return metadata


def create_statements() -> list[str]:
    """CREATE SCHEMA and every CREATE TABLE (each followed by its indexes), in order."""
    metadata = build_metadata()
    statements = [str(CreateSchema(SCHEMA_NAME).compile(dialect=_DIALECT))]
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=_DIALECT)).strip())
        statements += [
            str(CreateIndex(index).compile(dialect=_DIALECT))
            for index in sorted(table.indexes, key=lambda index: str(index.name))
        ]
    return statements
