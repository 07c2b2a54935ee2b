"""The review policy file: what it sets, and malformed policies refused naming line and key."""

from __future__ import annotations

import datetime as dt

import pytest

from fma_app.analysis import review as rv
from fma_app.analysis.review_policy import PolicyError, parse_policy

FULL = """\
# the payments team's policy
[rules.high-priority-without-action]
rpn_at_least = 200

[rules.overdue-action]
grace_days = 14

[rules.component-without-failure-modes]
enabled = true

[rules.not-rated]
enabled = false

[[waivers]]
rule = "high-priority-without-action"
failure_mode_id = 412
reason = "Failover drilled quarterly"
owner = "payments-sre"
expires = 2027-03-31

[[waivers]]
rule = "spof-without-failure-modes"
component = "vault"
reason = "Analysed in the HSM FMEA"
owner = "security"
expires = "2027-01-15"
"""


def test_a_full_policy():
    policy = parse_policy(FULL)
    assert policy.setting(rv.HIGH_PRIORITY, "rpn_at_least") == 200
    assert policy.setting(rv.OVERDUE, "grace_days") == 14
    assert policy.is_enabled(rv.NO_FAILURE_MODES)
    assert not policy.is_enabled(rv.NOT_RATED)
    assert policy.is_enabled(rv.SPOF)  # not named: its default
    first, second = policy.waivers
    assert (first.rule, first.failure_mode_id, first.owner, first.expires) == (
        rv.HIGH_PRIORITY, 412, "payments-sre", dt.date(2027, 3, 31),
    )  # fmt: skip
    assert (second.component, second.expires) == ("vault", dt.date(2027, 1, 15))


def test_an_empty_policy_is_the_default():
    policy = parse_policy("")
    assert policy.setting(rv.OVERDUE, "grace_days") == 0
    assert policy.setting(rv.HIGH_PRIORITY, "rpn_at_least") is None
    assert not policy.is_enabled(rv.NO_FAILURE_MODES)
    assert policy.waivers == ()


OVERDUE = "[rules.overdue-action]\n"
HIGH = "[rules.high-priority-without-action]\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (OVERDUE + "grace_days = 7\nx = = 1\n", "not valid TOML: .*line 3"),
        ("title = 'x'\n", "^line 1, key title: unknown key"),
        ("\n[rules.no-such-rule]\nenabled = true\n",
         "^line 2, key rules.no-such-rule: unknown rule id"),
        (OVERDUE + "\ngrace_days = -1\n",
         "^line 3, key rules.overdue-action.grace_days: must be a whole number 0 or more, not -1"),
        (OVERDUE + "grace_days = '7'\n",
         "^line 2, key rules.overdue-action.grace_days: .*not '7'"),
        ("[rules.not-rated]\nenabled = 'yes'\n",
         "^line 2, key rules.not-rated.enabled: must be true or false"),
        ("[rules.not-rated]\nrpn_at_least = 3\n",
         "^line 2, key rules.not-rated.rpn_at_least: unknown setting; this rule takes: enabled$"),
        (HIGH + "rpn_at_least = 2.5\n", "^line 2, key .*rpn_at_least: .*not 2.5"),
    ],
    ids=["toml-syntax", "top-key", "rule-id", "negative", "text-number", "enabled", "setting",
         "float"],
)  # fmt: skip
def test_malformed_rules_name_line_and_key(text, expected):
    with pytest.raises(PolicyError, match=expected):
        parse_policy(text)


WAIVER = """\
[[waivers]]
rule = "not-rated"
component = "api"
reason = "later"
owner = "alice"
expires = 2027-01-01

[[waivers]]
rule = "not-rated"
{second}
"""


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ('component = "db"\nreason = "r"\nowner = "o"\nexpires = "soon"',
         r"^line 13, key waivers.expires: waiver 2: expires must be a date written YYYY-MM-DD, "
         r"not 'soon'"),
        ('component = "db"\nreason = "r"\nowner = "o"\nexpires = "  "',
         r"^line 13, key waivers.expires: waiver 2: expires must be a date written YYYY-MM-DD, "
         r"not '  '"),
        ('component = "db"\nreason = "r"\nexpires = 2027-01-01',
         r"^line 8, key waivers.owner: waiver 2: owner must be given"),
        ('component = "db"\nfailure_mode_id = 3\nreason = "r"\nowner = "o"\nexpires = 2027-01-01',
         r"^line 10, key waivers.component: waiver 2: needs exactly one of"),
        ('reason = "r"\nowner = "o"\nexpires = 2027-01-01',
         r"^line 9, key waivers.rule: waiver 2: needs exactly one of"),
        ('dependency = "a to b"\nreason = "r"\nowner = "o"\nexpires = 2027-01-01',
         r"^line 10, key waivers.dependency: waiver 2: dependency 'a to b' must be written"),
        ('failure_mode_id = "7"\nreason = "r"\nowner = "o"\nexpires = 2027-01-01',
         r"^line 10, key waivers.failure_mode_id: waiver 2: failure_mode_id must be a whole"),
        ('component = "db"\nreason = "r"\nowner = "o"\nexpires = 2027-01-01\nexpiry = 2027-01-01',
         r"^line 14, key waivers.expiry: waiver 2: unknown key"),
    ],
    ids=[
        "date", "blank-date", "owner", "two-targets", "no-target", "dependency", "id-text",
        "unknown",
    ],
)  # fmt: skip
def test_malformed_waivers_name_line_and_key(second, expected):
    with pytest.raises(PolicyError, match=expected):
        parse_policy(WAIVER.format(second=second))


def test_a_waiver_of_an_unknown_rule():
    text = WAIVER.format(second="").replace('rule = "not-rated"\n\n', 'rule = "nope"\n\n')
    text = text.replace('rule = "not-rated"\ncomponent', 'rule = "not-ratd"\ncomponent')
    expected = r"^line 2, key waivers.rule: waiver 1: rule 'not-ratd'"
    with pytest.raises(PolicyError, match=expected):
        parse_policy(text)


def test_the_readme_documents_every_rule_id_and_its_policy_example_parses():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for rule in rv.RULES:
        assert f"| `{rule.id}` |" in readme, rule.id
    [example] = [part.split("```")[0] for part in readme.split("```toml\n")[1:]]
    policy = parse_policy(example)
    assert [w.rule for w in policy.waivers] == [rv.HIGH_PRIORITY, rv.SPOF]
