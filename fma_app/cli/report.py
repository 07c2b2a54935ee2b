"""`fma-app report MODEL -o REPORT.xlsx [--by rpn|ap]`: the ranked Excel report of a model."""

from __future__ import annotations

import argparse
from pathlib import Path

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import EXIT_OK, CliError
from fma_app.cli.model_io import MODEL_HELP


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report",
        help=COMMAND_HELP["report"],
        description="Write the ranked Excel report (Summary, Worksheet, Actions, Components, "
        "Dependencies, and the Findings of `fma-app check`) of MODEL. "
        "`fma-app import REPORT.xlsx -o MODEL` reads it back.",
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument(
        "-o", "--output", required=True, metavar="REPORT.xlsx", help="the report to write"
    )
    parser.add_argument(
        "--by",
        choices=("rpn", "ap"),
        default="rpn",
        help="rank by RPN (default) or by AIAG-VDA Action Priority",
    )
    parser.add_argument(
        "--policy",
        metavar="FILE",
        help="review policy for the Findings sheet (TOML, as for check); default: "
        "fma-policy.toml beside MODEL, when there is one",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from fma_app.cli.check import load_policy, policy_path
    from fma_app.cli.model_io import read_model
    from fma_app.reports.errors import ReportError
    from fma_app.reports.xlsx_report import write_report

    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        raise CliError(f"the report file must end in .xlsx: {output}")
    policy = load_policy(policy_path(args.model, args.policy))
    model = read_model(args.model)
    try:
        write_report(model, output, args.by, policy=policy)
    except ReportError as error:
        raise CliError(str(error)) from None
    except OSError as error:
        raise CliError(f"cannot write {output}: {error.strerror or error}") from None
    count = len(model.failure_modes)
    print(f"wrote {output}: {count} failure mode{'s' if count != 1 else ''} ranked by {args.by}")
    return EXIT_OK
