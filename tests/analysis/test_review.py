"""The review rules of `fma-app check`: each rule on a model that breaks it and one that does
not, the policy's thresholds and waivers, expired waivers, and rules that cannot run."""

from __future__ import annotations

import datetime as dt

import pytest

from fma_app.analysis import review as rv
from fma_app.analysis.review import Policy, ReviewInputs, Waiver, review
from fma_app.analysis.topology import ObservedTopology, TopologyBuilder
from fma_app.domain.model import ActionStatus, Model, Scores
from fma_app.domain.scoring import ActionPriority, action_priority

AS_OF = dt.date(2026, 12, 1)


def findings(model: Model, rule: str, policy: Policy | None = None, as_of: dt.date = AS_OF):
    """The unwaived findings of one rule, as (item label, message) pairs."""
    result = review(ReviewInputs(model, as_of), policy)
    (ran,) = [r for r in result.results if r.rule.id == rule]
    assert not ran.skipped, ran.skipped
    return [(f.item.label, f.message) for f in ran.findings]


def one_failure_mode(**fields) -> tuple[Model, int]:
    model = Model(name="Review")
    api = model.add_component("api")
    fm = model.add_failure_mode(api.id, failure_mode="Timeout", **fields)
    return model, fm.id


# ---- high-priority-without-action --------------------------------------------------------------
def test_high_priority_without_action_is_a_violation():
    assert action_priority(9, 8, 7) is ActionPriority.HIGH
    model, fm_id = one_failure_mode(severity=9, likelihood=8, detection=7)
    assert findings(model, rv.HIGH_PRIORITY) == [
        (
            f"api: Timeout [#{fm_id}]",
            "Action Priority H (initial scores) with no open, in-progress or done action and no "
            "justification",
        )
    ]


@pytest.mark.parametrize("status", [ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE])
def test_an_open_in_progress_or_done_action_satisfies_high_priority(status):
    model, fm_id = one_failure_mode(severity=9, likelihood=8, detection=7)
    model.add_action(fm_id, "Add a circuit breaker", status=status)
    assert findings(model, rv.HIGH_PRIORITY) == []


def test_a_cancelled_action_does_not_satisfy_high_priority():
    model, fm_id = one_failure_mode(severity=9, likelihood=8, detection=7)
    model.add_action(fm_id, "Add a circuit breaker", status=ActionStatus.CANCELLED)
    assert len(findings(model, rv.HIGH_PRIORITY)) == 1


def test_a_justification_satisfies_high_priority_but_blank_does_not():
    model, fm_id = one_failure_mode(severity=9, likelihood=8, detection=7, justification="  ")
    assert len(findings(model, rv.HIGH_PRIORITY)) == 1
    model.failure_modes[fm_id].justification = "Failover drilled monthly; see RUN-12"
    assert findings(model, rv.HIGH_PRIORITY) == []


def test_high_priority_judges_the_revised_scores_when_there_are_any():
    # Initially H; revised L: no longer high, so no action is needed.
    model, fm_id = one_failure_mode(severity=9, likelihood=8, detection=7, revised=(2, 2, 2))
    assert findings(model, rv.HIGH_PRIORITY) == []
    # Initially L, revised H: high now.
    model, fm_id = one_failure_mode(severity=2, likelihood=2, detection=2, revised=(9, 8, 7))
    assert findings(model, rv.HIGH_PRIORITY) == [
        (
            f"api: Timeout [#{fm_id}]",
            "Action Priority H (revised scores) with no open, in-progress or done action and no "
            "justification",
        )
    ]


def test_not_rated_and_low_priority_failure_modes_pass_high_priority():
    model, _ = one_failure_mode(severity=10)  # not rated: the not-rated rule's business
    model.add_failure_mode(model.component_by_name("api").id, severity=2, likelihood=2, detection=2)
    assert findings(model, rv.HIGH_PRIORITY) == []


def test_rpn_threshold_counts_a_high_rpn_as_high_too():
    assert action_priority(5, 5, 5) is ActionPriority.LOW
    model, fm_id = one_failure_mode(severity=5, likelihood=5, detection=5)  # RPN 125
    assert findings(model, rv.HIGH_PRIORITY) == []
    at = Policy(settings={rv.HIGH_PRIORITY: {"rpn_at_least": 125}})
    assert findings(model, rv.HIGH_PRIORITY, at) == [
        (
            f"api: Timeout [#{fm_id}]",
            "RPN 125 (initial scores) at or above 125 with no open, in-progress or done action "
            "and no justification",
        )
    ]
    above = Policy(settings={rv.HIGH_PRIORITY: {"rpn_at_least": 126}})
    assert findings(model, rv.HIGH_PRIORITY, above) == []


# ---- not-rated ----------------------------------------------------------------------------------
def test_not_rated_names_the_missing_scores():
    model, fm_id = one_failure_mode(severity=7)
    assert findings(model, rv.NOT_RATED) == [
        (f"api: Timeout [#{fm_id}]", "not rated yet: no likelihood, detection")
    ]


def test_a_rated_failure_mode_passes_not_rated():
    model, _ = one_failure_mode(severity=7, likelihood=1, detection=1)
    assert findings(model, rv.NOT_RATED) == []


# ---- spof-without-failure-modes -----------------------------------------------------------------
def spof_model() -> Model:
    """web (entry) -> api -> db, strong: api and db are single points of failure of web."""
    model = Model(name="Spof")
    web = model.add_component("web", user_facing=True)
    api, db = model.add_component("api"), model.add_component("db")
    model.add_dependency(web.id, api.id)
    model.add_dependency(api.id, db.id)
    model.add_failure_mode(db.id, failure_mode="Disk full")
    return model


def test_a_spof_without_failure_modes_is_a_violation():
    assert findings(spof_model(), rv.SPOF) == [
        ("api", "single point of failure of web with no failure mode recorded")
    ]


def test_spofs_with_failure_modes_pass():
    model = spof_model()
    model.add_failure_mode(model.component_by_name("api").id, failure_mode="Crash loop")
    assert findings(model, rv.SPOF) == []


def test_a_model_without_entry_points_has_no_spofs():
    model = spof_model()
    model.component_by_name("web").user_facing = False
    assert findings(model, rv.SPOF) == []


# ---- overdue-action -----------------------------------------------------------------------------
def overdue_model(due: dt.date, status: ActionStatus = ActionStatus.OPEN) -> tuple[Model, int]:
    model, fm_id = one_failure_mode(severity=5, likelihood=5, detection=5)
    action = model.add_action(fm_id, "Add an index", owner="dba", due_date=due, status=status)
    return model, action.id


def test_an_open_action_past_its_due_date_is_overdue():
    model, action_id = overdue_model(dt.date(2026, 11, 20))
    [(label, message)] = findings(model, rv.OVERDUE)
    assert label.endswith(f"action {action_id}")
    assert message == (
        f"action {action_id} 'Add an index' (open, owner dba) was due 2026-11-20: 11 days overdue"
    )


def test_due_today_or_later_closed_or_undated_is_not_overdue():
    for due in (AS_OF, dt.date(2027, 1, 1), None):
        model, _ = overdue_model(due)  # type: ignore[arg-type]
        assert findings(model, rv.OVERDUE) == [], due
    for status in (ActionStatus.DONE, ActionStatus.CANCELLED):
        model, _ = overdue_model(dt.date(2026, 1, 1), status)
        assert findings(model, rv.OVERDUE) == [], status


def test_in_progress_actions_become_overdue_too():
    model, _ = overdue_model(dt.date(2026, 11, 30), ActionStatus.IN_PROGRESS)
    assert len(findings(model, rv.OVERDUE)) == 1


def test_grace_days_and_as_of():
    model, _ = overdue_model(dt.date(2026, 11, 24))  # 7 days overdue on AS_OF
    week = Policy(settings={rv.OVERDUE: {"grace_days": 7}})
    assert findings(model, rv.OVERDUE, week) == []
    [(_, message)] = findings(model, rv.OVERDUE, week, as_of=AS_OF + dt.timedelta(days=1))
    assert message.endswith("8 days overdue (grace 7 days)")
    assert findings(model, rv.OVERDUE, as_of=dt.date(2026, 11, 24)) == []


# ---- revised-not-better -------------------------------------------------------------------------
def test_revised_scores_with_a_higher_rpn_are_a_violation():
    model, fm_id = one_failure_mode(severity=3, likelihood=3, detection=3, revised=(3, 3, 4))
    assert findings(model, rv.REVISED_NOT_BETTER) == [
        (f"api: Timeout [#{fm_id}]", "revised scores raise the risk: RPN 27 -> 36")
    ]


def test_revised_scores_with_a_higher_ap_but_lower_rpn_are_a_violation():
    model, fm_id = one_failure_mode(severity=2, likelihood=10, detection=10, revised=(9, 6, 1))
    assert findings(model, rv.REVISED_NOT_BETTER) == [
        (f"api: Timeout [#{fm_id}]", "revised scores raise the risk: AP M -> H")
    ]


@pytest.mark.parametrize("revised", [(3, 3, 3), (3, 3, 2), None], ids=["equal", "better", "none"])
def test_equal_or_better_revised_scores_pass(revised):
    model, _ = one_failure_mode(severity=3, likelihood=3, detection=3, revised=revised)
    assert findings(model, rv.REVISED_NOT_BETTER) == []


# ---- component-without-failure-modes ------------------------------------------------------------
def test_component_without_failure_modes_is_off_by_default():
    model, _ = one_failure_mode()
    model.add_component("lonely")
    result = review(ReviewInputs(model, AS_OF))
    assert rv.NO_FAILURE_MODES not in {r.rule.id for r in result.results}


def test_component_without_failure_modes_when_turned_on():
    model, _ = one_failure_mode()
    model.add_component("lonely")
    on = Policy(enabled={rv.NO_FAILURE_MODES: True})
    assert findings(model, rv.NO_FAILURE_MODES, on) == [("lonely", "no failure mode recorded")]
    model.add_failure_mode(model.component_by_name("lonely").id, failure_mode="Gone")
    assert findings(model, rv.NO_FAILURE_MODES, on) == []


# ---- policy: rules off, waivers, expiry ---------------------------------------------------------
def test_a_rule_turned_off_does_not_run():
    model, _ = one_failure_mode(severity=7)
    result = review(ReviewInputs(model, AS_OF), Policy(enabled={rv.NOT_RATED: False}))
    assert rv.NOT_RATED not in {r.rule.id for r in result.results}
    assert result.passed


def waiver(expires: dt.date, **target) -> Waiver:
    return Waiver(rv.NOT_RATED, "rated next sprint", "alice", expires, **target)


@pytest.mark.parametrize(
    "target",
    [{"failure_mode_id": "FM"}, {"component": "API"}],  # component names match in any case
    ids=["failure-mode-id", "component"],
)
def test_a_live_waiver_waives_its_item(target):
    model, fm_id = one_failure_mode(severity=7)
    target = {k: fm_id if v == "FM" else v for k, v in target.items()}
    policy = Policy(waivers=(waiver(AS_OF, **target),))  # expires today: still live
    result = review(ReviewInputs(model, AS_OF), policy)
    assert result.passed
    [(finding, used)] = result.waived
    assert (finding.rule, finding.failure_mode_id, used.owner) == (rv.NOT_RATED, fm_id, "alice")


def test_a_waiver_of_another_item_or_rule_waives_nothing():
    model, fm_id = one_failure_mode(severity=7)
    for other in (waiver(AS_OF, failure_mode_id=fm_id + 100), waiver(AS_OF, component="db")):
        assert not review(ReviewInputs(model, AS_OF), Policy(waivers=(other,))).passed
    other_rule = Waiver(rv.OVERDUE, "r", "o", AS_OF, failure_mode_id=fm_id)
    assert not review(ReviewInputs(model, AS_OF), Policy(waivers=(other_rule,))).passed


def test_an_expired_waiver_waives_nothing_and_is_a_violation_itself():
    model, fm_id = one_failure_mode(severity=7)
    expired = waiver(dt.date(2026, 11, 30), failure_mode_id=fm_id)
    result = review(ReviewInputs(model, AS_OF), Policy(waivers=(expired,)))
    assert sorted(f.rule for f in result.findings) == [rv.NOT_RATED, rv.WAIVER_EXPIRED]
    [message] = [f.message for f in result.findings if f.rule == rv.WAIVER_EXPIRED]
    assert message == (
        f"the waiver of not-rated for failure mode {fm_id} (owner alice) expired 2026-11-30: "
        "renew it or act on the item"
    )


def test_a_dependency_waiver_matches_names_in_any_case_and_spacing():
    assert waiver(AS_OF, dependency="Web->API").matches(
        rv.NOT_RATED, rv.Item("dependency", "web -> api", dependency="web -> api")
    )


# ---- slo-above-ceiling -------------------------------------------------------------------------
def slo_model(slo: float | None, db_availability: float | None = 0.99) -> Model:
    """web (an entry point, availability 1) strongly needs db: web can reach db's availability."""
    model = Model(name="Slo")
    web = model.add_component("web", user_facing=True, availability=1.0, slo=slo)
    db = model.add_component("db", availability=db_availability)
    model.add_dependency(web.id, db.id)
    return model


def test_an_slo_above_what_the_dependencies_allow_is_a_violation():
    assert findings(slo_model(0.999), rv.SLO) == [
        (
            "web",
            "availability 99 % from its dependencies is below its SLO 99.9 %: the architecture "
            "alone uses 1000% of the 30-day error budget; costliest: db",
        )
    ]


def test_an_slo_the_dependencies_allow_or_no_slo_passes():
    assert findings(slo_model(0.99), rv.SLO) == []  # equal is met
    assert findings(slo_model(0.95), rv.SLO) == []
    result = review(ReviewInputs(slo_model(None), AS_OF))
    (ran,) = [r for r in result.results if r.rule.id == rv.SLO]
    assert ran.items == []  # nothing promised, nothing to check


def test_unknown_availabilities_are_named_as_making_the_figure_an_upper_bound():
    model = slo_model(0.999)
    cache = model.add_component("cache")  # availability unknown
    model.add_dependency(model.component_by_name("web").id, cache.id)
    [(_, message)] = findings(model, rv.SLO)
    assert message.endswith(
        "(1 component(s) of unknown availability counted as never failing: the real figure is "
        "lower)"
    )


# ---- dependency-not-in-model -------------------------------------------------------------------
def traced_model() -> Model:
    """web -> checkout -> payments; checkout is traced as "checkout-svc" (an alias)."""
    model = Model(name="Traced")
    web = model.add_component("web", user_facing=True)
    checkout = model.add_component("Checkout", aliases=["checkout-svc"])
    payments = model.add_component("payments")
    model.add_dependency(web.id, checkout.id)
    model.add_dependency(checkout.id, payments.id)
    return model


def traces(*edges: tuple[str, str, int, int | None]) -> ObservedTopology:
    builder = TopologyBuilder()
    for source, target, calls, errors in edges:
        builder.add_dependency(source, target, calls, errors)
    return builder.finish()


def traced_findings(model: Model, observed: ObservedTopology, policy: Policy | None = None):
    result = review(ReviewInputs(model, AS_OF, observed), policy)
    (ran,) = [r for r in result.results if r.rule.id == rv.NOT_IN_MODEL]
    assert not ran.skipped, ran.skipped
    return ran


def test_traced_dependencies_the_model_has_pass_matched_by_name_or_alias_in_any_case():
    observed = traces(("WEB", "checkout-svc", 40, 0), ("Checkout-SVC", "payments", 30, None))
    ran = traced_findings(traced_model(), observed)
    assert {item.dependency for item in ran.items} == {"web -> Checkout", "Checkout -> payments"}
    assert ran.findings == []


def test_a_traced_dependency_the_model_lacks_is_a_violation_of_its_source():
    model = traced_model()
    observed = traces(
        ("checkout-svc", "web", 3, 1),  # reversed: the model has web -> Checkout only
        ("payments", "ledger", 1, None),  # ledger is no component
        ("web", "payments", 12, 0),
    )
    ran = traced_findings(model, observed)
    assert [(f.rule, f.component, f.dependency, f.message) for f in ran.findings] == [
        (rv.NOT_IN_MODEL, "Checkout", "Checkout -> web",
         "seen in the traces (3 calls, 1 error) but not in the model"),
        (rv.NOT_IN_MODEL, "payments", "payments -> ledger",
         "seen in the traces (1 call) but not in the model; ledger is not a component of it "
         "either"),
        (rv.NOT_IN_MODEL, "web", "web -> payments",
         "seen in the traces (12 calls) but not in the model"),
    ]  # fmt: skip
    checkout = model.component_by_name("Checkout")
    assert ran.findings[0].item.component_id == checkout.id  # the Review panel can select it
    assert ran.findings[1].item.component_id == model.component_by_name("payments").id


def test_two_traced_names_of_one_pair_are_one_dependency_and_one_component_is_no_pair():
    observed = traces(
        ("Checkout", "web", 3, 1), ("checkout-svc", "web", 4, 2), ("checkout-svc", "Checkout", 5, 0)
    )
    [finding] = traced_findings(traced_model(), observed).findings
    assert (finding.dependency, finding.message) == (
        "Checkout -> web",
        "seen in the traces (7 calls, 3 errors) but not in the model",
    )


def test_a_dependency_waiver_waives_a_traced_dependency_until_it_expires():
    observed = traces(("web", "payments", 12, 0), ("payments", "ledger", 1, None))
    waiver = Waiver(rv.NOT_IN_MODEL, "retired next week", "sre", AS_OF, dependency="WEB->Payments")
    ran = traced_findings(traced_model(), observed, Policy(waivers=(waiver,)))
    assert [f.dependency for f in ran.findings] == ["payments -> ledger"]
    assert [(f.dependency, w.owner) for f, w in ran.waived] == [("web -> payments", "sre")]
    later = review(
        ReviewInputs(traced_model(), AS_OF + dt.timedelta(days=1), observed),
        Policy(waivers=(waiver,)),
    )
    rules = sorted(f.rule for f in later.findings if f.rule in (rv.NOT_IN_MODEL, rv.WAIVER_EXPIRED))
    assert rules == [rv.NOT_IN_MODEL, rv.NOT_IN_MODEL, rv.WAIVER_EXPIRED]


# ---- rules that cannot run ----------------------------------------------------------------------
def test_rules_without_their_input_or_analysis_are_skipped_with_the_reason():
    model, _ = one_failure_mode()
    result = review(ReviewInputs(model, AS_OF))
    skipped = {r.rule.id: r.skipped for r in result.skipped}
    assert skipped == {rv.NOT_IN_MODEL: "no traces given (--traces)"}
    assert all(not r.items and not r.findings for r in result.skipped)


def test_every_rule_has_a_check_or_a_reason_and_ids_are_unique():
    ids = [rule.id for rule in rv.RULES]
    assert len(ids) == len(set(ids))
    for rule_id in ids:
        if rule_id != rv.WAIVER_EXPIRED:
            assert (rule_id in rv.CHECKS) != (rule_id in rv.NOT_AVAILABLE), rule_id


def test_a_clean_model_passes_every_rule():
    model, fm_id = one_failure_mode(severity=9, likelihood=8, detection=7, revised=Scores(9, 2, 2))
    model.add_action(fm_id, "Bulkhead", status="done", due_date=dt.date(2026, 1, 1))
    model.add_action(fm_id, "Load test", status="open", due_date=dt.date(2027, 1, 1))
    api = model.component_by_name("api")
    api.user_facing, api.availability, api.slo = True, 0.999, 0.99
    result = review(ReviewInputs(model, AS_OF), Policy(enabled={rv.NO_FAILURE_MODES: True}))
    assert result.passed
    assert all(r.items for r in result.ran if r.rule.id not in (rv.WAIVER_EXPIRED,))
