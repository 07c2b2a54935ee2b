"""`fma-app check MODEL [--policy FILE] [--traces FILE...] [--format text|json|junit]
[--as-of DATE]`: the review rules as a gate in CI.

Exit 0 when no rule is broken, 1 when any is, 2 for bad input (one line on stderr). The policy
is `--policy FILE`, else `fma-policy.toml` beside the model when there is one, else the
defaults. Loads neither Qt nor SQLAlchemy; networkx only for a model with entry points.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import CliError
from fma_app.cli.model_io import MODEL_HELP, is_url

if TYPE_CHECKING:
    from fma_app.analysis.review import Policy, Review
    from fma_app.analysis.topology import ObservedTopology

EXIT_VIOLATIONS = 1
DEFAULT_POLICY = "fma-policy.toml"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help=COMMAND_HELP["check"],
        description="Check a model against the review rules: high-priority failure modes "
        "without action, failure modes not rated, single points of failure without failure "
        "modes, overdue actions, revised scores that raise the risk, with --traces the "
        "dependencies seen in traces that the model lacks, and more (see the README for each "
        "rule id). Exit 0 when no rule is broken, 1 when any is, 2 for bad input. "
        "The file is only read.",
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument(
        "--policy",
        metavar="FILE",
        help=f"policy file (TOML); default: {DEFAULT_POLICY} beside MODEL, when there is one",
    )
    parser.add_argument(
        "--traces",
        metavar="FILE",
        nargs="+",
        help="trace files; dependencies seen in them that the model lacks are violations",
    )
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text")
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="judge due dates and waiver expiry as of DATE (YYYY-MM-DD; default: today)",
    )
    parser.set_defaults(handler=run)


def parse_as_of(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"--as-of {text!r} is not a valid date written YYYY-MM-DD") from None


def policy_path(model: str, given: str | None) -> Path | None:
    if given is not None:
        return Path(given)
    if is_url(model):  # a shared model has no folder to hold a policy: give --policy
        return None
    beside = Path(model).parent / DEFAULT_POLICY
    return beside if beside.is_file() else None


def load_policy(path: Path | None) -> Policy:
    from fma_app.analysis.review import Policy
    from fma_app.analysis.review_policy import PolicyError, parse_policy

    if path is None:
        return Policy()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"policy {path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"policy {path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise CliError(f"policy {path}: not UTF-8 text (a TOML file is UTF-8)") from None
    except OSError as error:
        raise CliError(f"policy {path}: cannot read it: {error.strerror}") from None
    try:
        return parse_policy(text)
    except PolicyError as error:
        raise CliError(f"policy {path}: {error}") from None


def read_traces(paths: list[str]) -> ObservedTopology:
    """The topology the trace files saw; a file that cannot be read is bad input, in one line
    naming it. Loads only the trace readers (no Qt, no SQL)."""
    from fma_app.reports.traces import TraceFileError, read_trace_files

    try:
        return read_trace_files(paths).topology
    except TraceFileError as error:
        raise CliError(f"trace file {error}") from None


# ---- formats ------------------------------------------------------------------------------------
def summary(review: Review, model_name: str, policy: Path | None) -> dict[str, object]:
    return {
        "model": model_name,
        "policy": str(policy) if policy else None,
        "as_of": review.as_of.isoformat(),
        "passed": review.passed,
        "violations": len(review.findings),
        "waived": len(review.waived),
        "rules": {
            result.rule.id: {
                "checked": len(result.items),
                "violations": len(result.findings),
                "waived": len(result.waived),
            }
            for result in review.ran
        },
        "skipped": {result.rule.id: result.skipped for result in review.skipped},
    }


def format_json(review: Review, model_name: str, policy: Path | None) -> str:
    waived = [
        {
            **finding.as_record(),
            "waiver": {
                "reason": waiver.reason,
                "owner": waiver.owner,
                "expires": waiver.expires.isoformat(),
            },
        }
        for finding, waiver in review.waived
    ]
    document = {
        "violations": [finding.as_record() for finding in review.findings],
        "waived": waived,
        "summary": summary(review, model_name, policy),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def format_text(review: Review, model_name: str) -> str:
    lines = []
    for result in review.ran:
        if not result.findings:
            continue
        count = len(result.findings)
        lines.append(f"{result.rule.id}: {count} violation{'s' if count != 1 else ''}")
        lines.extend(f"  {f.item.label}: {f.message}" for f in result.findings)
    for result in review.skipped:
        lines.append(f"{result.rule.id}: skipped, {result.skipped}")
    lines.append(summary_line(review, model_name))
    return "\n".join(lines)


def summary_line(review: Review, model_name: str) -> str:
    broken = [result for result in review.ran if result.findings]
    count = len(review.findings)
    waived = f", {len(review.waived)} waived" if review.waived else ""
    checked = f"{len(review.ran)} rules checked on {model_name} as of {review.as_of.isoformat()}"
    if not count:
        return f"passed: no violations ({checked}{waived})"
    return (
        f"failed: {count} violation{'s' if count != 1 else ''} of {len(broken)} "
        f"rule{'s' if len(broken) != 1 else ''} ({checked}{waived})"
    )


def run(args: argparse.Namespace) -> int:
    from fma_app.analysis.review import ReviewInputs, review
    from fma_app.cli.impact import load_model

    as_of = parse_as_of(args.as_of)
    policy_file = policy_path(args.model, args.policy)
    policy = load_policy(policy_file)
    model = load_model(args.model)
    observed = read_traces(args.traces) if args.traces else None
    result = review(ReviewInputs(model, as_of, observed), policy)
    if args.format == "json":
        text = format_json(result, model.name, policy_file)
    elif args.format == "junit":
        from fma_app.reports.junit import junit_xml

        text = junit_xml(result, model.name)
    else:
        text = format_text(result, model.name)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0 if result.passed else EXIT_VIOLATIONS
