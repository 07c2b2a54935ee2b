"""`fma-app models URL`: the models a PostgreSQL database holds, with their last change."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import EXIT_OK, CliError
from fma_app.cli.model_io import shared_location


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "models",
        help=COMMAND_HELP["models"],
        description="List the models a PostgreSQL database holds: key (for ?model=KEY), name, "
        "when each last changed and who changed it.",
    )
    parser.add_argument("url", metavar="URL", help="postgresql://[user@]host[:port]/database")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def run(args: argparse.Namespace) -> int:
    from fma_app.storage.shared import SharedStoreError
    from fma_app.storage.shared.store import list_models

    location = shared_location(args.url)
    try:
        found = list_models(location.with_model(None))
    except SharedStoreError as error:
        raise CliError(str(error)) from None
    if args.format == "json":
        records = [
            {"key": m.key, "name": m.name, "changed_at": m.changed_at.isoformat(),
             "changed_by": m.changed_by}
            for m in found
        ]  # fmt: skip
        print(json.dumps(records, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not found:
        print(f"{location.database_display} holds no models (fma-app push FILE URL adds one)")
        return EXIT_OK
    rows = [("KEY", "NAME", "CHANGED", "BY")]
    rows += [(m.key, m.name, _when(m.changed_at), m.changed_by) for m in found]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  "
              + row[3])  # fmt: skip
    return EXIT_OK
