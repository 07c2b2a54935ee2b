"""`fma-app merge BASE OURS THEIRS -o OUT [--ours|--theirs|--resolve FILE]`: three-way merge.

Usable as a git merge driver (`fma-app merge %O %A %B -o %A`): with conflicts left it exits 1
and leaves OUT untouched, so git keeps our version and reports the conflict.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, cast

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import CliError
from fma_app.cli.model_io import read_model
from fma_app.domain.errors import ModelError

if TYPE_CHECKING:  # the domain's model loads when the command runs, not for --help
    from fma_app.domain.merge import Conflict, MergeResult, Side
    from fma_app.domain.model import Model

EXIT_MERGED, EXIT_CONFLICTS = 0, 1
HOW_TO_SETTLE = (
    "Settle them all with --ours or --theirs, or one by one with --resolve FILE: one line per "
    "conflict, 'KEY ours' or 'KEY theirs' (# starts a comment)."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "merge",
        help=COMMAND_HELP["merge"],
        description="Merge the changes from BASE to OURS and from BASE to THEIRS, field by field. "
        "Changes to different fields or records are all kept; the same field changed to "
        "different values is a conflict, listed with both values. OUT is written only when "
        "every conflict is settled (exit 0); otherwise exit 1. Records both sides added under "
        "the same ids are renumbered on their side. Works as a git merge driver (see the README).",
    )
    # The files' dests differ from the --ours/--theirs flags', which share their words.
    parser.add_argument("base_file", metavar="BASE", help="the common ancestor (.fma)")
    parser.add_argument("ours_file", metavar="OURS", help="our version (.fma)")
    parser.add_argument("theirs_file", metavar="THEIRS", help="their version (.fma)")
    parser.add_argument("-o", "--output", metavar="OUT", required=True, help="merged model")
    settle = parser.add_mutually_exclusive_group()
    settle.add_argument("--ours", action="store_true", help="settle every conflict with ours")
    settle.add_argument("--theirs", action="store_true", help="settle every conflict with theirs")
    settle.add_argument("--resolve", metavar="FILE", help="settle conflicts one by one")
    parser.set_defaults(handler=run)


def describe(conflict: Conflict) -> str:
    from fma_app.domain.records import SINGULAR, shown

    singular = SINGULAR.get(conflict.collection, conflict.collection)
    what = "model" if conflict.collection == "model" else f"{singular} {conflict.id}"
    label = f" {shown(conflict.label)}" if conflict.label else ""
    return (
        f"CONFLICT {conflict.key} ({what}{label}): {conflict.reason}\n"
        f"    base: {conflict.shown('base')}\n"
        f"    ours: {conflict.shown('ours')}\n"
        f"    theirs: {conflict.shown('theirs')}"
    )


def read_choices(path: str, result: MergeResult) -> dict[str, Side]:
    """'KEY ours|theirs' lines; a key that names no conflict or another word is bad input."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"cannot read the resolve file {path!r}: {error}") from None
    keys = {c.key for c in result.conflicts}
    choices: dict[str, Side] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or parts[1] not in ("ours", "theirs"):
            expected = "expected 'KEY ours' or 'KEY theirs'"
            raise CliError(f"{path} line {number}: {expected}, got {line!r}")
        if parts[0] not in keys:
            raise CliError(f"{path} line {number}: {parts[0]!r} names no conflict of this merge")
        choices[parts[0]] = cast("Side", parts[1])
    return choices


def run(args: argparse.Namespace) -> int:
    from fma_app.domain.merge import merge_models

    base, ours, theirs = (read_model(p) for p in (args.base_file, args.ours_file, args.theirs_file))
    try:
        result = merge_models(base, ours, theirs)
    except ModelError as error:  # only for files that break the model's own rules
        raise CliError(f"cannot merge: {error}") from None
    for old, new in sorted(result.renumbered.items()):
        print(f"renumbered their new id {old} as {new} (ours added {old} too)")
    if args.ours or args.theirs:
        side: Side = "ours" if args.ours else "theirs"
        choices: dict[str, Side] = {c.key: side for c in result.conflicts}
    else:
        choices = read_choices(args.resolve, result) if args.resolve else {}
    left = [c for c in result.conflicts if c.key not in choices]
    if left:
        for conflict in left:
            print(describe(conflict))
        print(f"{len(left)} conflict(s) left; {args.output} was not written. {HOW_TO_SETTLE}")
        return EXIT_CONFLICTS
    return _write(result.resolved(choices), args.output)


def _write(model: Model, output: str) -> int:
    from fma_app.storage import ModelFileError, save_model
    from fma_app.storage.checks import RowProblemError, check_model

    try:
        check_model(model)
    except RowProblemError as problem:
        print(f"the merged model breaks a rule: {problem}; {output} was not written")
        return EXIT_CONFLICTS
    try:
        save_model(model, output)
    except ModelFileError as error:
        raise CliError(str(error)) from None
    return EXIT_MERGED
