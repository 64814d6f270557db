from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from conftest import curators_group, reviewers_group

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def groups():
    return curators_group(), reviewers_group()


def create(*args, password="a-long-test-password", monkeypatch):
    monkeypatch.setenv("DJANGO_CURATOR_PASSWORD", password)
    out = StringIO()
    call_command("create_curator", *args, "--no-input", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "args, group, message",
    [
        ((), "Curators", "Curator 'alice' created: log in at /admin/.\n"),
        (("--reviewer",), "Reviewers", "Reviewer 'alice' created: log in at /admin/.\n"),
    ],
)
def test_creates_a_staff_account_in_its_group(monkeypatch, args, group, message):
    assert create("alice", *args, monkeypatch=monkeypatch) == message
    user = get_user_model().objects.get(username="alice")
    assert user.is_staff and not user.is_superuser
    assert [g.name for g in user.groups.all()] == [group]
    assert user.check_password("a-long-test-password")


def test_a_reviewer_may_publish_and_a_curator_may_not(monkeypatch):
    create("carol", monkeypatch=monkeypatch)
    create("rita", "--reviewer", monkeypatch=monkeypatch)
    users = get_user_model().objects
    assert not users.get(username="carol").has_perm("risks.publish_riskmanagementplan")
    assert users.get(username="carol").has_perm("risks.change_safetyconcern")
    assert users.get(username="rita").has_perm("risks.publish_riskmanagementplan")
    assert not users.get(username="rita").has_perm("risks.change_safetyconcern")


def test_refuses_a_taken_name_and_a_weak_or_missing_password(monkeypatch):
    create("alice", monkeypatch=monkeypatch)
    with pytest.raises(CommandError, match="already an account named 'alice'"):
        create("alice", monkeypatch=monkeypatch)
    with pytest.raises(CommandError, match="too common"):
        create("bob", password="password", monkeypatch=monkeypatch)
    with pytest.raises(CommandError, match="No password given"):
        create("bob", password="", monkeypatch=monkeypatch)
    assert not get_user_model().objects.filter(username="bob").exists()
