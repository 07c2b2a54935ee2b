"""`fma-app info MODEL [--format text|json]`: name, schema version and counts (rows unread)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import CliError
from fma_app.cli.model_io import MODEL_HELP, is_url, read_shared_model, shared_location

if TYPE_CHECKING:
    from fma_app.storage import ModelInfo

FIELDS = ("name", "schema_version", "components", "dependencies", "failure_modes", "actions")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "info",
        help=COMMAND_HELP["info"],
        description="Show a model file's name, schema version and the number of components, "
        "dependencies, failure modes and actions. The file is only read.",
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def info_record(info: ModelInfo) -> dict[str, object]:
    record: dict[str, object] = {key: getattr(info, key) for key in FIELDS}
    record["path"] = str(info.path)
    return record


def format_text(info: ModelInfo) -> str:
    rows = [
        ("Name", info.name),
        ("File", str(info.path)),
        ("Schema version", info.schema_version),
        ("Components", info.components),
        ("Dependencies", info.dependencies),
        ("Failure modes", info.failure_modes),
        ("Actions", info.actions),
    ]
    width = max(len(label) for label, _ in rows) + 2
    return "\n".join(f"{label + ':':<{width}}{value}" for label, value in rows)


def run(args: argparse.Namespace) -> int:
    if is_url(args.model):
        return run_shared(args)
    from fma_app.storage import ModelFileError, read_info  # sqlmodel: slow to import

    try:
        info = read_info(args.model)
    except ModelFileError as error:
        raise CliError(str(error)) from None
    if args.format == "json":
        print(json.dumps(info_record(info), indent=2, ensure_ascii=False))
    else:
        print(format_text(info))
    return 0


def run_shared(args: argparse.Namespace) -> int:
    """Info of a shared model: the same fields, with its URL (no password) instead of a path."""
    from fma_app.storage import SCHEMA_VERSION

    location = shared_location(args.model)
    model = read_shared_model(args.model)
    record: dict[str, object] = {
        "name": model.name,
        "schema_version": SCHEMA_VERSION,  # a server with any other version is refused
        "components": len(model.components),
        "dependencies": len(model.dependencies),
        "failure_modes": len(model.failure_modes),
        "actions": len(model.actions),
        "url": location.display,
    }
    if args.format == "json":
        print(json.dumps(record, indent=2, ensure_ascii=False))
        return 0
    labels = {"name": "Name", "url": "URL", "schema_version": "Schema version",
              "components": "Components", "dependencies": "Dependencies",
              "failure_modes": "Failure modes", "actions": "Actions"}  # fmt: skip
    width = max(len(label) for label in labels.values()) + 2
    print("\n".join(f"{labels[key] + ':':<{width}}{record[key]}" for key in labels))
    return 0
