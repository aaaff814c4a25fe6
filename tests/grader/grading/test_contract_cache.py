"""A bundle version's contract verdict is kept per digest, image and grading code, and checked again on demand."""
from __future__ import annotations

import pytest

from assignments.bundle import load_bundle
from grader.grading import contract_cache
from grader.grading.setup import get_grader
from tests.grader.authoring.bundles import write_bundle

pytestmark = pytest.mark.sandbox


def test_a_second_check_of_the_same_version_is_kept_and_a_fresh_one_runs_again(tmp_path, monkeypatch):
    grader = get_grader()
    monkeypatch.setattr(grader, "cache_dir", tmp_path / "cache")
    bundle = load_bundle(write_bundle(tmp_path / "b"))
    calls = []
    real = contract_cache.check_contract
    monkeypatch.setattr(contract_cache, "check_contract", lambda *args: calls.append(1) or real(*args))

    first, kept_first = contract_cache.cached_contract(bundle, grader)
    second, kept_second = contract_cache.cached_contract(bundle, grader)
    third, kept_third = contract_cache.cached_contract(bundle, grader, fresh=True)

    assert (kept_first, kept_second, kept_third) == (False, True, False) and len(calls) == 2
    assert first.ok and first.rows == second.rows == third.rows


def test_a_change_to_the_grading_code_or_the_bundle_checks_again(tmp_path, monkeypatch):
    grader = get_grader()
    monkeypatch.setattr(grader, "cache_dir", tmp_path / "cache")
    bundle = load_bundle(write_bundle(tmp_path / "b"))
    contract_cache.cached_contract(bundle, grader)
    monkeypatch.setattr(contract_cache, "code_digest", lambda: "changed-code")
    assert contract_cache.cached_contract(bundle, grader)[1] is False
    other = load_bundle(write_bundle(tmp_path / "c", **{"mistakes.toml": ""}))
    assert other.digest != bundle.digest and contract_cache.cached_contract(other, grader)[1] is False


def test_a_failing_verdict_is_never_kept(tmp_path, monkeypatch):
    grader = get_grader()
    monkeypatch.setattr(grader, "cache_dir", tmp_path / "cache")
    bundle = load_bundle(write_bundle(tmp_path / "b"))
    verdicts = [contract_cache.ContractResult([("reference", "(all)", "0/3", False, "relu: timeout")]),
                contract_cache.ContractResult([("reference", "(all)", "3/3", True, "-")])]
    monkeypatch.setattr(contract_cache, "check_contract", lambda *args: verdicts.pop(0))

    failed, kept_failed = contract_cache.cached_contract(bundle, grader)
    passed, kept_passed = contract_cache.cached_contract(bundle, grader)  # checked again, not the failure kept

    assert not failed.ok and passed.ok and (kept_failed, kept_passed) == (False, False)
    assert contract_cache.cached_contract(bundle, grader) == (passed, True)
