"""`fma-app import WORKBOOK -o MODEL [--sheet NAME] [--force]`: build a model from a worksheet.

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

from fma_app.cli.common import EXIT_BAD_INPUT, CliError, print_error
from fma_app.domain.model import Model
from fma_app.reports.errors import ImportProblemsError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="build a model from an FMEA worksheet (.xlsx)",
        description="Build a model from an FMEA worksheet: the first sheet with a recognisable "
        "header row (or --sheet NAME), plus a sheet named Dependencies if there is one. "
        "A report exported by FMA Workbench is read back exactly (without --sheet). "
        "Components get the kind 'other'. If the workbook has "
        "problems, each is printed with its cell and nothing is written.",
    )
    parser.add_argument("workbook", metavar="WORKBOOK", help="the .xlsx workbook to read")
    parser.add_argument("-o", "--output", required=True, metavar="MODEL", help="file to write")
    parser.add_argument("--sheet", metavar="NAME", help="read this sheet (default: the first "
                        "sheet with an FMEA header row)")  # fmt: skip
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


def run(args: argparse.Namespace) -> int:
    from fma_app.reports import workbook_import
    from fma_app.storage import ModelFileError, save_model

    workbook, output = Path(args.workbook), Path(args.output)
    check_output(workbook, output, args.force)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it skips (data validation, conditional
            # formats); they carry no FMEA data, so they are not the user's problem.
            warnings.simplefilter("ignore", UserWarning)
            model = workbook_import.import_workbook(workbook, sheet=args.sheet)
    except ImportProblemsError as problems:
        return report_problems(workbook, problems.problems)
    try:
        save_model(model, output)
    except ModelFileError as error:
        raise CliError(str(error)) from None
    print(summary(model, args.output))
    return 0
