"""`fma-app history URL [--since DATE] [--component NAME] [--user NAME]`: who changed what in a
shared model, oldest first, one line per changed field."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import EXIT_OK, CliError

if TYPE_CHECKING:
    from fma_app.storage.shared.history import HistoryEntry


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "history",
        help=COMMAND_HELP["history"],
        description="Print every change made to a shared model on PostgreSQL: time (UTC), "
        "person, item, field, old and new value, oldest first. A model file has no history.",
    )
    parser.add_argument(
        "url", metavar="URL", help="the shared model: postgresql://host/database?model=KEY"
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        type=_moment,
        help="only changes at or after DATE (YYYY-MM-DD, or a time; UTC if no zone)",
    )
    parser.add_argument("--component", metavar="NAME", help="only changes of this component")
    parser.add_argument("--user", metavar="NAME", help="only changes made by this person")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def _moment(text: str) -> dt.datetime:
    value = text.strip()
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date written YYYY-MM-DD or a time YYYY-MM-DDTHH:MM[:SS]"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def run(args: argparse.Namespace) -> int:
    from fma_app.storage.shared import SharedStoreError, is_shared_location, parse_location
    from fma_app.storage.shared.session import read_model_history

    if not is_shared_location(args.url):
        raise CliError(
            f"{args.url!r} is not a shared model's URL (postgresql://host/database?model=KEY);"
            " a model file keeps no history"
        )
    try:
        entries = read_model_history(
            parse_location(args.url),
            since=args.since,
            component=args.component,
            user=args.user,
        )
    except SharedStoreError as error:
        raise CliError(str(error)) from None
    if args.format == "json":
        print(json.dumps([_as_dict(e) for e in entries], indent=2, ensure_ascii=False))
    else:
        for entry in entries:
            print(_line(entry))
        if not entries:
            print("no changes recorded" + (" in that period" if args.since else ""))
    return EXIT_OK


def _line(entry: HistoryEntry) -> str:
    when = entry.at.strftime("%Y-%m-%d %H:%M:%S")
    return f"{when}  {entry.user}  {entry.item}  {entry.describe()}"


def _as_dict(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "user": entry.user,
        "step": entry.step,
        "step_text": entry.step_text,
        "kind": entry.kind_label,
        "id": entry.item_id,
        "item": entry.item,
        "component_id": entry.component_id,
        "field": entry.field,
        "op": entry.op,
        "old": entry.old,
        "new": entry.new,
    }
