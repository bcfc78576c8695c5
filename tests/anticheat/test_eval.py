"""The evaluation set of issue 6: every cheating scenario raises its reason codes and its
check-ins are refused; the honest control raises nothing; the honest real logs of
../shared/data give at most 1 false alert per 100 collector-days on the held-out half."""

from __future__ import annotations

import os

import pytest

from host.anticheat.eval import honest
from host.anticheat.eval.run import evaluate


@pytest.fixture(scope="module")
def result():
    with_honest = bool(honest.sources())
    if not with_honest and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the shared recordings are missing: {honest.DATA}")
    return evaluate(with_honest=with_honest)


def test_every_scenario_is_detected_and_its_checkins_refused(result):
    for row in result["scenarios"]:
        if row["expected"]:
            assert set(row["expected"]) <= set(row["reason_codes"]), row
            assert row["checkins_refused"] == row["checkins_made"], row
        else:
            assert row["reason_codes"] == [] and row["checkins_refused"] == 0, row
    assert result["detection_rate"] == 1.0


def test_false_alarm_rate_on_the_held_out_honest_logs(result):
    if "honest" not in result:
        pytest.skip(f"shared recordings absent: {honest.DATA}")
    test = result["honest"]["test"]
    assert test["collector_days"] >= 20
    assert test["false_alerts_per_100_days"] <= 1.0, test["days_with_alerts"]


def test_the_cli_prints_the_table_as_json():
    import json

    from click.testing import CliRunner

    from host.anticheat.cli import anticheat

    out = CliRunner().invoke(anticheat, ["eval", "--json", "--no-honest"])
    assert out.exit_code == 0, out.output
    names = [r["scenario"] for r in json.loads(out.output)["scenarios"]]
    assert "teleport" in names and "cloned_badge" in names
