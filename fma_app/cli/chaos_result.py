"""`fma-app chaos-result MODEL JOURNAL.json`: record a Chaos Toolkit run on its failure mode."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import EXIT_OK, CliError

if TYPE_CHECKING:
    from fma_app.domain.resilience import ExperimentRecord
    from fma_app.reports.chaos.journal import JournalRun


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "chaos-result",
        help=COMMAND_HELP["chaos-result"],
        description="Read the journal that `chaos run` wrote for a draft of `fma-app chaos` and "
        "record the run on its failure mode: deviated -> failed, completed -> passed, aborted "
        "or interrupted -> not concluded. Refuses a journal of another model, and a model "
        "that is open in the desktop app.",
    )
    parser.add_argument(
        "model", metavar="MODEL", help="the model file (.fma) or a shared model's URL"
    )
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
    if _is_url(args.model):
        return _record_shared(args.model, journal, journal_path)
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
    _report(fm.id, fm.failure_mode, record)
    return EXIT_OK


def _is_url(text: str) -> bool:
    from fma_app.storage.shared import is_shared_location

    return is_shared_location(text)


def _record_shared(url: str, journal: JournalRun, journal_path: Path) -> int:
    """Record the run on a shared model in one transaction under the model's commit lock:
    people editing it keep editing, and see the record arrive."""
    from fma_app.domain.commands import SetFields, edit_resilience
    from fma_app.domain.model import Model
    from fma_app.reports.chaos.journal import JournalError, record_for
    from fma_app.storage.shared import SharedStoreError, parse_location
    from fma_app.storage.shared.session import SharedSession

    records: list[ExperimentRecord] = []

    def make_command(model: Model) -> SetFields:
        record = record_for(model, journal, str(journal_path.resolve()))
        records.append(record)
        return edit_resilience(model, journal.failure_mode_id, experiment=record)

    try:
        session = SharedSession.open(parse_location(url))
    except SharedStoreError as error:
        raise CliError(str(error)) from None
    try:
        session.apply_exclusively("chaos-result", make_command)
        fm = session.model.failure_modes[journal.failure_mode_id]
    except (JournalError, SharedStoreError) as error:
        raise CliError(str(error)) from None
    finally:
        session.close()
    _report(fm.id, fm.failure_mode, records[-1])
    return EXIT_OK


def _report(failure_mode_id: int, text: str, record: ExperimentRecord) -> None:
    print(
        f"recorded on failure mode {failure_mode_id} ({text or 'unnamed'}): "
        f"{record.status.value}" + (f" on {record.date.isoformat()}" if record.date else "")
    )
