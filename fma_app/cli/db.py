"""`fma-app db upgrade URL`: upgrade a shared database's schema, explicitly, in one transaction.

An app that connects never upgrades the shared schema on its own: colleagues whose older app is
connected would find their tables changed under them. Someone runs this when they are ready.
"""

from __future__ import annotations

import argparse

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import EXIT_OK, CliError
from fma_app.cli.model_io import shared_location


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "db",
        help=COMMAND_HELP["db"],
        description="Manage the schema of a shared PostgreSQL database.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    upgrade = actions.add_parser(
        "upgrade",
        help="upgrade the database's schema to this version of FMA Workbench",
        description="Upgrade the database's tables to this version's schema, in one "
        "transaction (all or nothing). Run it when nobody with an older FMA Workbench is "
        "connected: their app refuses a newer schema.",
    )
    upgrade.add_argument("url", metavar="URL", help="postgresql://[user@]host[:port]/database")
    upgrade.set_defaults(handler=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    from fma_app.storage.shared import SharedStoreError
    from fma_app.storage.shared.store import upgrade_schema

    location = shared_location(args.url).with_model(None)
    try:
        done = upgrade_schema(location)
    except SharedStoreError as error:
        raise CliError(str(error)) from None
    created = ", ".join(f"fma.{table}" for table in done.created_tables)
    if done.old != done.new:
        also = f", and created editing together's tables {created}" if created else ""
        print(f"upgraded {location.display} from schema {done.old} to {done.new}{also}")
    elif created:
        print(
            f"{location.display} is at schema {done.new}: created editing together's tables "
            f"{created}, which it lacked"
        )
    else:
        print(f"{location.display} is already at schema {done.new}: nothing to do")
    return EXIT_OK
