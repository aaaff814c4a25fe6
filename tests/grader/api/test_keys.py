"""Keys are shown once, stored only as a hash, scoped, and revocable."""
from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grader.api.keys import InvalidScopes, create_key, find_key, parse_scopes, revoke
from grader.api.models import ApiKey


def test_the_command_prints_the_key_alone_on_its_last_line_and_stores_only_its_hash(course):
    out = StringIO()
    call_command("create_api_key", "--course", "dnn", "--scopes", "read,submit", "--name", "Moodle", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    row = ApiKey.objects.get()
    assert key.startswith(f"gbx_{row.prefix}_") and " " not in key and len(key) > 40
    assert row.scopes == ["read", "submit"] and row.name == "Moodle" and row.course == course
    assert row.secret_sha256 == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(list(ApiKey.objects.values()))
    assert find_key(key) == row


@pytest.mark.parametrize("arguments, message", [
    (["--course", "nope", "--scopes", "read", "--name", "x"], "unknown course 'nope'; courses: dnn"),
    (["--course", "dnn", "--scopes", "read,admin", "--name", "x"], "unknown scope(s) admin"),
    (["--course", "dnn", "--scopes", "", "--name", "x"], "name at least one scope"),
])
def test_the_command_refuses_unknown_courses_and_scopes(course, arguments, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("create_api_key", *arguments, stdout=StringIO())
    assert not ApiKey.objects.exists()


def test_a_key_with_a_wrong_secret_or_an_unknown_prefix_is_not_found(course):
    row, key = create_key(course, "k", "read")
    assert find_key(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert find_key("gbx_00000000_" + key.rsplit("_", 1)[1]) is None
    assert find_key("not-a-key") is None
    assert find_key(key) == row


def test_scopes_are_a_sorted_subset(db):
    assert parse_scopes("submit, read,read") == ["read", "submit"]
    with pytest.raises(InvalidScopes):
        parse_scopes(["read", "write"])


def test_revoking_keeps_the_row_and_stamps_it(course):
    row, key = create_key(course, "k", "read")
    revoke(row)
    assert find_key(key).revoked_at is not None and not find_key(key).is_active
