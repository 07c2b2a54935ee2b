"""The actions table model of one failure mode, checked by Qt's model tester."""

from __future__ import annotations

from fma_app.domain.commands import remove
from fma_app.ui.actions_model import ActionsModel


def fm_named(document, name: str):
    return next(f for f in document.model.failure_modes.values() if f.failure_mode == name)


def test_actions_model_tester(qtmodeltester, document):
    model = ActionsModel(document)
    model.set_failure_mode(fm_named(document, "Disk full").id)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2


def test_actions_model_tester_watches_removal_of_both_actions(qtmodeltester, document):
    model = ActionsModel(document)
    model.set_failure_mode(fm_named(document, "Disk full").id)
    qtmodeltester.check(model, force_py=True)
    document.push(remove(document.model, "action", list(document.model.actions)))
    assert model.rowCount() == 0
    document.undo_stack.undo()
    assert model.rowCount() == 2
