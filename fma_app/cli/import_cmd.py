"""`fma-app import WORKBOOK -o MODEL [options]`: build a model from a spreadsheet.

WORKBOOK is .xlsx, .xlsm, .xls or .csv. The options build a `spreadsheet_import.Mapping`:
`--sheet`, `--all-sheets`, `--header-rows N-M`, `--map COLUMN=FIELD` (repeatable), on top of
`--mapping FILE` when given; `--save-mapping FILE` writes it as JSON once the import succeeded.
A workbook with problems writes nothing: every problem is printed on its own line with its cell
reference and the command exits 2. An existing MODEL is replaced only with --force, and then
only once the import has succeeded (the save is atomic).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import EXIT_BAD_INPUT, CliError, print_error
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.headers import USER_FIELDS

if TYPE_CHECKING:
    from fma_app.domain.model import Model
    from fma_app.reports.spreadsheet_import import Mapping


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help=COMMAND_HELP["import"],
        description="Build a model from an FMEA spreadsheet: the first sheet with a recognisable "
        "header (or --sheet NAME, or --all-sheets), plus the Components and Dependencies "
        "sheets if there are. A report exported by FMA Workbench is read back exactly (without "
        "mapping options). If the spreadsheet has problems, each is printed with its cell, "
        "with every header found and the field it was read as, and nothing is written.",
    )
    parser.add_argument("workbook", metavar="WORKBOOK", help="the spreadsheet to read")
    parser.add_argument("-o", "--output", required=True, metavar="MODEL", help="file to write")
    parser.add_argument("--sheet", metavar="NAME", help="read this sheet (default: the first "
                        "sheet with an FMEA header row)")  # fmt: skip
    parser.add_argument("--all-sheets", action="store_true",
                        help="read every sheet with an FMEA header into one model")  # fmt: skip
    parser.add_argument("--header-rows", metavar="N-M",
                        help="the header is rows N to M, not the detected rows")  # fmt: skip
    parser.add_argument(
        "--map", action="append", default=[], metavar="COLUMN=FIELD",
        help="read COLUMN (a letter such as F, or its header text) as FIELD; repeatable. "
        "FIELD is one of: " + ", ".join(USER_FIELDS),
    )  # fmt: skip
    parser.add_argument("--mapping", metavar="FILE", help="start from a mapping saved with "
                        "--save-mapping (the options above add to it)")  # fmt: skip
    parser.add_argument("--save-mapping", metavar="FILE",
                        help="write the mapping to FILE (JSON) after a good import")  # fmt: skip
    parser.add_argument("--force", action="store_true", help="replace MODEL if it exists")
    parser.set_defaults(handler=run)


def check_output(workbook: Path, output: Path, force: bool) -> None:
    """Refuse before reading anything: a folder, the workbook itself, or an existing file."""
    if output.is_dir():
        raise CliError(f"{str(output)!r} is a folder; give a file name such as model.fma")
    if output.exists() and workbook.exists() and os.path.samefile(output, workbook):
        raise CliError(f"{str(output)!r} is the workbook being imported; choose another MODEL")
    if output.exists() and not force:
        raise CliError(f"{str(output)!r} already exists; use --force to replace it")
    if not output.parent.is_dir():
        raise CliError(
            f"cannot write {str(output)!r}: folder {str(output.parent)!r} does not exist"
        )


def report_problems(workbook: Path, problems: list[str]) -> int:
    """Every problem on its own line; a count first when there are several."""
    if len(problems) > 1:
        print_error(f"{len(problems)} problems in {workbook.name}; nothing was written")
    for problem in problems:
        print(f"fma-app: error: {problem}", file=sys.stderr)
    return EXIT_BAD_INPUT


def summary(model: Model, output: str) -> str:
    counts = (
        (len(model.components), "component", "components"),
        (len(model.dependencies), "dependency", "dependencies"),
        (len(model.failure_modes), "failure mode", "failure modes"),
        (len(model.actions), "action", "actions"),
    )
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts]
    return f"imported {', '.join(parts[:-1])} and {parts[-1]} into {output}"


def build_mapping(args: argparse.Namespace) -> Mapping:
    """The mapping the options describe: --mapping FILE, then the other options on top."""
    from fma_app.reports import spreadsheet_import as si

    mapping = si.Mapping.load(args.mapping) if args.mapping else si.Mapping()
    if args.sheet is not None:
        mapping.sheet = args.sheet
    if args.all_sheets:
        mapping.all_sheets = True
    if args.header_rows is not None:
        mapping.header_rows = si.parse_header_rows(args.header_rows)
    for option in args.map:
        column, field_name = si.parse_map_option(option)
        mapping.columns[column] = field_name
    if mapping.sheet is not None and mapping.all_sheets:
        raise ImportProblemsError(["--sheet and --all-sheets cannot be used together"])
    return mapping


def run(args: argparse.Namespace) -> int:
    from fma_app.reports import spreadsheet_import
    from fma_app.storage import ModelFileError, save_model

    workbook, output = Path(args.workbook), Path(args.output)
    check_output(workbook, output, args.force)
    try:
        mapping = build_mapping(args)
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it skips (data validation, conditional
            # formats); they carry no FMEA data, so they are not the user's problem.
            warnings.simplefilter("ignore", UserWarning)
            result = spreadsheet_import.import_spreadsheet(workbook, mapping)
    except ImportProblemsError as problems:
        return report_problems(workbook, problems.problems)
    try:
        save_model(result.model, output)
    except ModelFileError as error:
        raise CliError(str(error)) from None
    if args.save_mapping:
        try:
            mapping.save(args.save_mapping)
        except OSError as error:
            raise CliError(f"cannot write the mapping {args.save_mapping!r}: {error}") from None
    print(summary(result.model, args.output))
    for note in result.notes:
        print(f"  {note}")
    return 0
