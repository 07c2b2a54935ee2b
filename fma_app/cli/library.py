"""`fma-app library list|export`: the failure mode libraries, and saving a model's failure modes
as a team library file. Neither loads Qt or the ORM (the config file is plain text)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import CliError

# ComponentKind's values, written out: `--help` must not build the model's classes to list
# them (tests/cli/test_library_cmd.py checks that they match).
KINDS = ("service", "database", "queue", "cache", "external", "network", "host", "other")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "library",
        help=COMMAND_HELP["library"],
        description="The failure mode libraries: the built-in catalog and the team library "
        "files in the folders listed in ~/.config/fma-workbench/library-folders.",
    )
    actions = parser.add_subparsers(dest="library_command", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list",
        help="list the entries of every library",
        description="List the entries of the built-in catalog and of every library file, "
        "with their source. A library file that cannot be read is named on stderr and skipped.",
    )
    listing.add_argument("--kind", choices=KINDS, help="only entries for this component kind")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(handler=run_list)
    export = actions.add_parser(
        "export",
        help="save failure modes of a model as a library file",
        description="Save the given failure modes of MODEL as a library file (JSON): their "
        "texts, their scores as suggestions, and their component's kind.",
    )
    export.add_argument("model", metavar="MODEL", help="model file (.fma)")
    export.add_argument(
        "--failure-mode", dest="ids", metavar="ID", nargs="+", action="extend", required=True,
        help="failure mode ids (as in `fma-app rank`); may be given several times",
    )  # fmt: skip
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="library file")
    export.add_argument("--name", help="the library's name (default: the file's name)")
    export.add_argument("--force", action="store_true", help="replace an existing FILE")
    export.set_defaults(handler=run_export)


def run_list(args: argparse.Namespace) -> int:
    from fma_app.domain.library import entry_record
    from fma_app.reports.library_files import load_libraries

    loaded = load_libraries()
    for problem in loaded.problems:
        print(f"fma-app: warning: {problem}", file=sys.stderr)
    entries = [e for e in loaded.entries if args.kind is None or e.kind.value == args.kind]
    if args.format == "json":
        records = [{**entry_record(entry), "source": entry.source} for entry in entries]
        print(json.dumps(records, indent=2, ensure_ascii=False))
        return 0
    for entry in entries:
        scores = entry.suggested
        suggested = "/".join(
            "-" if score is None else str(score)
            for score in (scores.severity, scores.likelihood, scores.detection)
        )
        print(f"{entry.kind.value:<9} {suggested:<8} {entry.failure_mode}  [{entry.source}]")
    sources = len({entry.source for entry in entries})
    print(f"{len(entries)} entries from {sources} librar{'y' if sources == 1 else 'ies'}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from fma_app.cli.model_io import read_model
    from fma_app.domain.errors import ValidationError
    from fma_app.domain.library import library_from_failure_modes
    from fma_app.reports.library_files import LibraryFileError, write_library_file

    output = Path(args.output)
    if output.exists() and not args.force:
        raise CliError(f"'{output}' exists; give --force to replace it")
    ids = [_failure_mode_id(text) for text in args.ids]
    model = read_model(args.model)
    missing = [str(i) for i in ids if i not in model.failure_modes]
    if missing:
        raise CliError(f"no failure mode with id {', '.join(missing)} in '{args.model}'")
    try:
        library, skipped = library_from_failure_modes(model, ids, args.name or output.stem)
        for duplicate in skipped:
            print(f"fma-app: {duplicate}", file=sys.stderr)
        write_library_file(library, output)
    except (LibraryFileError, ValidationError) as error:
        raise CliError(str(error)) from None
    print(f"wrote {len(library.entries)} failure mode(s) to {output}")
    return 0


def _failure_mode_id(text: str) -> int:
    if not text.strip().isdigit():
        raise CliError(f"failure mode id {text!r} is not a whole number")
    return int(text)
