"""A failure mode may be not rated yet: each score on its own, never shown as low risk."""

from __future__ import annotations

import pytest

from fma_app.domain.commands import add_failure_mode, set_fields
from fma_app.domain.errors import ValidationError
from fma_app.domain.model import Model, Scores
from fma_app.domain.scoring import ActionPriority


@pytest.fixture
def model() -> Model:
    model = Model()
    model.add_component("Payments")
    return model


def test_a_new_failure_mode_starts_not_rated(model):
    command = add_failure_mode(model, 1, failure_mode="Timeout")
    command.do(model)
    (fm,) = model.failure_modes.values()
    assert (fm.severity, fm.likelihood, fm.detection) == (None, None, None)
    assert (fm.rpn, fm.ap, fm.scores, fm.is_rated) == (None, None, None, False)


@pytest.mark.parametrize("missing", ["severity", "likelihood", "detection"])
def test_any_one_missing_score_means_no_rpn_and_no_ap(model, missing):
    scores = {"severity": 9, "likelihood": 4, "detection": 3, missing: None}
    fm = model.add_failure_mode(1, **scores)
    assert getattr(fm, missing) is None
    assert (fm.rpn, fm.ap, fm.scores) == (None, None, None)


def test_all_three_scores_give_rpn_and_ap(model):
    fm = model.add_failure_mode(1, severity="9", likelihood=4.0, detection=3)
    assert (fm.rpn, fm.ap, fm.scores) == (108, ActionPriority.HIGH, Scores(9, 4, 3))


@pytest.mark.parametrize("cleared", [None, "", "   "])
def test_clearing_a_score_makes_it_not_rated_and_undo_brings_it_back(model, cleared):
    fm = model.add_failure_mode(1, severity=9, likelihood=4, detection=3)
    command = set_fields(model, "failure_mode", fm.id, likelihood=cleared)
    command.do(model)
    assert (fm.likelihood, fm.rpn, fm.ap) == (None, None, None)
    command.undo(model)
    assert (fm.likelihood, fm.rpn) == (4, 108)


@pytest.mark.parametrize("bad", [0, 11, 1.5, "abc", "-3", True])
def test_a_bad_score_is_still_refused(model, bad):
    fm = model.add_failure_mode(1)
    with pytest.raises(ValidationError, match="is not a whole number from 1 to 10"):
        set_fields(model, "failure_mode", fm.id, severity=bad)
    with pytest.raises(ValidationError, match="is not a whole number from 1 to 10"):
        model.add_failure_mode(1, detection=bad)


def test_revised_scores_stay_all_or_none(model):
    fm = model.add_failure_mode(1, severity=9)
    set_fields(model, "failure_mode", fm.id, revised=(3, 2, 2)).do(model)
    assert fm.revised_rpn == 12
    assert fm.rpn is None  # revised scores do not rate the failure mode itself
    with pytest.raises(ValidationError, match="revised likelihood"):
        set_fields(model, "failure_mode", fm.id, revised=(3, None, 2))
    with pytest.raises(ValidationError, match="revised scores"):
        model.add_failure_mode(1, revised=(3, 2))
