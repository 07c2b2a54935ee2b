"""`fma-app chaos-result MODEL JOURNAL.json`: record a Chaos Toolkit run on its failure mode."""

from __future__ import annotations

import argparse
from pathlib import Path

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import EXIT_OK, CliError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "chaos-result",
        help=COMMAND_HELP["chaos-result"],
        description="Read the journal that `chaos run` wrote for a draft of `fma-app chaos` and "
        "record the run on its failure mode: deviated -> failed, completed -> passed, aborted "
        "or interrupted -> not concluded. Refuses a journal of another model, and a model "
        "that is open in the desktop app.",
    )
    parser.add_argument("model", metavar="MODEL", help="the model file (.fma)")
    parser.add_argument("journal", metavar="JOURNAL.json", help="the journal of the run")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from fma_app.domain.commands import edit_resilience
    from fma_app.reports.chaos.journal import JournalError, read_journal, record_for
    from fma_app.storage import ModelFileError, open_model, save_model
    from fma_app.storage.locking import LockedBy, acquire_lock

    model_path, journal_path = Path(args.model), Path(args.journal)
    try:
        journal = read_journal(journal_path)
    except JournalError as error:
        raise CliError(str(error)) from None
    try:
        open_model(model_path, read_only=False)  # refuses a missing, foreign or read-only file
        lock = acquire_lock(model_path)
    except ModelFileError as error:
        raise CliError(str(error)) from None
    except OSError as error:
        raise CliError(f"cannot lock {model_path}: {error.strerror or error}") from None
    if isinstance(lock, LockedBy):
        raise CliError(
            f"{model_path} is open in FMA Workbench ({lock.describe()}); close it there first"
        )
    with lock:
        try:
            model = open_model(model_path, read_only=False)  # as it is now, under the lock
            record = record_for(model, journal, str(journal_path.resolve()))
            edit_resilience(model, journal.failure_mode_id, experiment=record).do(model)
            save_model(model, model_path)
        except (JournalError, ModelFileError) as error:
            raise CliError(str(error)) from None
    fm = model.failure_modes[journal.failure_mode_id]
    print(
        f"recorded on failure mode {fm.id} ({fm.failure_mode or 'unnamed'}): "
        f"{record.status.value}" + (f" on {record.date.isoformat()}" if record.date else "")
    )
    return EXIT_OK
