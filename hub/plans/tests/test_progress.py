"""Progress updates: one at a time on the page, many from a spreadsheet (all or nothing),
reminders to owners, and the lists of overdue actions and late updates."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from hub.conftest import signed_in
from hub.plans.models import Action, ProgressUpdate
from hub.plans.services.actions import (
    action_create,
    action_edit,
    aim_get_or_create,
    progress_record,
    reminders_send,
)
from hub.testing.factories import as_actor


def _action(plan, manager, description, *, aim="Engage residents", **fields) -> Action:
    aim_obj, _ = aim_get_or_create(plan=plan, title=aim)
    return action_create(
        actor=as_actor(manager), plan=plan, aim=aim_obj, description=description, **fields
    )


@pytest.fixture
def bobs_action(plan, pete, bob):
    """An action owned by bob, a partner caseworker who is not a plan manager."""
    return _action(plan, pete, "Run the food bank survey", owner=bob, update_every_days=14)


@pytest.fixture
def petes_action(plan, pete):
    return _action(plan, pete, "Write the compassionate communities plan", owner=pete)


def _csv(text: str, name: str = "updates.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


# One update on the page ---------------------------------------------------------------------


def test_an_owner_who_is_not_a_plan_manager_updates_their_own_action(bob_client, bobs_action):
    url = reverse("plans:action_update", args=[bobs_action.pk])
    assert bob_client.get(url).status_code == 200
    response = bob_client.post(url, {"status": "at_risk", "note": "Fewer replies than hoped"})
    assert response["Location"] == reverse("plans:action_detail", args=[bobs_action.pk])
    bobs_action.refresh_from_db()
    assert bobs_action.status == "at_risk"
    assert bobs_action.last_update_at is not None
    assert bobs_action.next_update_due == timezone.localdate() + timedelta(days=14)
    update = ProgressUpdate.objects.get()
    assert (update.note, update.by.email, update.source) == (
        "Fewer replies than hoped",
        "bob@example.org",
        "web",
    )
    page = bob_client.get(response["Location"]).content.decode()
    assert "Fewer replies than hoped" in page


def test_an_owner_cannot_update_someone_elses_action(bob_client, petes_action):
    url = reverse("plans:action_update", args=[petes_action.pk])
    assert bob_client.get(url).status_code == 403
    assert bob_client.post(url, {"status": "complete", "note": "Done"}).status_code == 403
    petes_action.refresh_from_db()
    assert petes_action.status == "not_started"
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize("who", ["charlie", "dora"])
def test_others_cannot_update_an_action(request, who, bobs_action):
    client = request.getfixturevalue(f"{who}_client")
    url = reverse("plans:action_update", args=[bobs_action.pk])
    assert client.post(url, {"status": "complete", "note": "Done"}).status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_a_plan_manager_updates_any_action(alice_client, bobs_action):
    url = reverse("plans:action_update", args=[bobs_action.pk])
    assert alice_client.post(url, {"status": "on_track", "note": "Checked in"}).status_code == 302
    assert ProgressUpdate.objects.get().by.email == "alice@example.org"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "on_track", "note": ""}, "note"),
        ({"status": "on_track", "note": "   "}, "note"),
        ({"status": "on_track"}, "note"),
        ({"status": "on_track", "note": "x" * 5001}, "note"),
        ({"status": "", "note": "Fine"}, "status"),
        ({"status": "<script>", "note": "Fine"}, "status"),
    ],
)
def test_a_bad_update_names_the_field_and_saves_nothing(alice_client, bobs_action, data, field):
    response = alice_client.post(reverse("plans:action_update", args=[bobs_action.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}' in page and "<title>Error: " in page
    bobs_action.refresh_from_db()
    assert bobs_action.status == "not_started" and bobs_action.last_update_at is None
    assert not ProgressUpdate.objects.exists()


def test_a_hostile_note_is_shown_as_text(alice_client, bobs_action):
    alice_client.post(
        reverse("plans:action_update", args=[bobs_action.pk]),
        {"status": "on_track", "note": "<script>alert(1)</script>"},
    )
    page = alice_client.get(reverse("plans:action_detail", args=[bobs_action.pk])).content
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_completing_an_action_before_its_dependencies_is_allowed_with_a_warning(
    alice_client, plan, pete, bobs_action
):
    later = _action(plan, pete, "Publish the results")
    action_edit(actor=as_actor(pete), action=later, depends_on=[bobs_action])
    url = reverse("plans:action_update", args=[later.pk])
    assert "depends on 1 action not complete" in alice_client.get(url).content.decode()
    response = alice_client.post(url, {"status": "complete", "note": "Published"}, follow=True)
    page = response.content.decode()
    assert "the action it depends on is not complete yet" in page
    assert str(bobs_action.pk) in page
    later.refresh_from_db()
    assert later.status == "complete"


def test_a_spreadsheet_completing_an_action_early_warns_too(alice_client, plan, pete, bobs_action):
    later = _action(plan, pete, "Publish the results")
    action_edit(actor=as_actor(pete), action=later, depends_on=[bobs_action])
    upload = _csv(f"Action ID,Status,Note\n{later.pk},Complete,Published\n")
    response = alice_client.post(reverse("plans:progress_upload"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "1 progress update saved" in page
    assert f"Action {later.pk}: This action is marked complete" in page


def test_the_service_refuses_someone_who_may_not_update(charlie, bob, bobs_action):
    with pytest.raises(PermissionDenied):
        progress_record(actor=as_actor(charlie), action=bobs_action, status="complete", note="x")
    with pytest.raises(ValidationError) as caught:
        progress_record(actor=as_actor(bob), action=bobs_action, status="done", note=" ")
    assert set(caught.value.message_dict) == {"status", "note"}
    assert not ProgressUpdate.objects.exists()


# Many updates from a spreadsheet ------------------------------------------------------------


def test_an_owner_uploads_updates_by_action_number_or_description(
    bob_client, plan, pete, bob, bobs_action
):
    second = _action(plan, pete, "Recruit community researchers", owner=bob)
    upload = _csv(
        "Action ID,Action,Plan,Status,Note\n"
        f"{bobs_action.pk},,,On track,Survey out in three wards\n"
        f',Recruit community researchers,{plan.slug},AT RISK,"Only two, so far"\n'
    )
    response = bob_client.post(reverse("plans:progress_upload"), {"file": upload}, follow=True)
    assert "2 progress updates saved" in response.content.decode()
    bobs_action.refresh_from_db()
    second.refresh_from_db()
    assert (bobs_action.status, second.status) == ("on_track", "at_risk")
    assert set(ProgressUpdate.objects.values_list("source", flat=True)) == {"csv"}


def test_one_bad_row_saves_nothing_and_every_problem_is_listed_by_row(
    bob_client, plan, bobs_action, petes_action
):
    upload = _csv(
        "Action ID,Status,Note\n"
        f"{bobs_action.pk},On track,Fine\n"
        "999999,On track,No such action\n"
        f"{bobs_action.pk},Finished,Bad status\n"
        f"{petes_action.pk},On track,Not mine\n"
        f"{bobs_action.pk},On track,\n"
        "<script>alert(1)</script>,On track,Hostile\n"
    )
    response = bob_client.post(reverse("plans:progress_upload"), {"file": upload})
    assert response.status_code == 400
    rows = dict(response.context["row_errors"])
    assert "There is no action number 999999" in rows[3]
    assert "‘Finished’ is not a status" in rows[4]
    assert f"You may not update action {petes_action.pk}" in rows[5]
    assert "Write a note" in rows[6]
    assert "give the action number" in rows[7]
    assert 2 not in rows
    page = response.content.decode()
    assert "nothing has been saved" in page and 'href="#id_file"' in page
    assert "<script>alert(1)</script>" not in page
    assert not ProgressUpdate.objects.exists()
    bobs_action.refresh_from_db()
    assert bobs_action.status == "not_started"


def test_a_description_that_matches_two_actions_asks_for_the_number(alice_client, plan, pete):
    _action(plan, pete, "Consult residents", aim="Aim one")
    _action(plan, pete, "Consult residents", aim="Aim two")
    upload = _csv(f"Action,Plan,Status,Note\nConsult residents,{plan.slug},On track,Going\n")
    response = alice_client.post(reverse("plans:progress_upload"), {"file": upload})
    assert "2 actions read ‘Consult residents’: give its number" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_updates_come_from_a_workbook_too(alice_client, bobs_action):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Action ID", "Status", "Note"])
    workbook.active.append([bobs_action.pk, "Complete", "All done"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("updates.xlsx", buffer.getvalue())
    assert alice_client.post(reverse("plans:progress_upload"), {"file": upload}).status_code == 302
    bobs_action.refresh_from_db()
    assert bobs_action.status == "complete"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"Status,Note\n1,2\n", "No header row"),
        (b"Action ID,Status,Note\n", "no updates under it"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a CSV or Excel"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_reason(alice_client, bobs_action, content, message):
    upload = SimpleUploadedFile("updates.csv", content)
    response = alice_client.post(reverse("plans:progress_upload"), {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists()


@override_settings(HUB_PLAN_IMPORT_MAX_BYTES=100)
def test_a_huge_file_is_refused(alice_client, bobs_action):
    upload = _csv("Action ID,Status,Note\n" + f"{bobs_action.pk},On track,{'x' * 200}\n")
    response = alice_client.post(reverse("plans:progress_upload"), {"file": upload})
    assert response.status_code == 400
    assert "The file must be smaller than" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize("who", ["charlie", "dora"])
def test_people_with_no_actions_to_update_cannot_upload(request, who, bobs_action):
    client = request.getfixturevalue(f"{who}_client")
    upload = _csv(f"Action ID,Status,Note\n{bobs_action.pk},Complete,Sneaky\n")
    assert client.get(reverse("plans:progress_upload")).status_code == 403
    assert client.post(reverse("plans:progress_upload"), {"file": upload}).status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_the_template_csv_lists_only_the_actions_you_may_update(
    bob_client, alice_client, bobs_action, petes_action
):
    mine = bob_client.get(reverse("plans:progress_upload"), {"format": "csv"}).content.decode()
    assert "Run the food bank survey" in mine
    assert "Write the compassionate communities plan" not in mine
    everything = alice_client.get(reverse("plans:progress_upload"), {"format": "csv"})
    assert "Write the compassionate communities plan" in everything.content.decode()


# Reminders ----------------------------------------------------------------------------------


def test_owners_are_reminded_once_per_due_date(plan, pete, bob, bobs_action, petes_action):
    today = timezone.localdate()
    Action.objects.filter(pk=bobs_action.pk).update(next_update_due=today + timedelta(days=3))
    Action.objects.filter(pk=petes_action.pk).update(next_update_due=today + timedelta(days=20))
    result = reminders_send(today=today, days=7)
    assert result.emails == 1
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert "Run the food bank survey" in mail.outbox[0].body
    assert reverse("plans:action_update", args=[bobs_action.pk]) in mail.outbox[0].body
    assert reminders_send(today=today, days=7).emails == 0
    assert reminders_send(today=today + timedelta(days=1), days=7).emails == 0
    assert len(mail.outbox) == 1
    # A new update sets a new due date, which is reminded about in its turn.
    progress_record(actor=as_actor(bob), action=bobs_action, status="on_track", note="Going")
    later = timezone.localdate() + timedelta(days=14)
    assert reminders_send(today=later - timedelta(days=2), days=7).emails == 1
    assert len(mail.outbox) == 2


def test_one_email_lists_all_of_an_owners_due_actions(plan, pete, bob, bobs_action):
    second = _action(plan, pete, "Recruit community researchers", owner=bob)
    today = timezone.localdate()
    Action.objects.filter(pk__in=[bobs_action.pk, second.pk]).update(next_update_due=today)
    assert reminders_send(today=today, days=0).emails == 1
    assert mail.outbox[0].subject == "Progress updates on 2 of your actions are due"


def test_complete_and_ownerless_actions_get_no_reminder(plan, pete, bobs_action):
    today = timezone.localdate()
    _action(plan, pete, "Nobody owns this")
    Action.objects.update(next_update_due=today)
    Action.objects.filter(pk=bobs_action.pk).update(status="complete")
    assert reminders_send(today=today, days=7).emails == 0
    assert mail.outbox == []


@override_settings(HUB_PLAN_REMINDER_DAYS=2)
def test_the_command_uses_the_setting_and_lists_overdue_actions(plan, pete, bobs_action, capsys):
    today = timezone.localdate()
    Action.objects.filter(pk=bobs_action.pk).update(
        next_update_due=today + timedelta(days=3), ends_on=today - timedelta(days=1)
    )
    overdue = _action(plan, pete, "Late and never updated", owner=pete)
    Action.objects.filter(pk=overdue.pk).update(next_update_due=today - timedelta(days=5))
    out = io.StringIO()
    call_command("plan_reminders", stdout=out)
    text = out.getvalue()
    assert "Reminders: 1 e-mail(s) about 1 action(s)" in text  # pete's; bob's is 3 days off
    assert mail.outbox[0].to == ["pete@example.org"]
    assert "was due" in mail.outbox[0].body
    assert f"Overdue actions: 1\n  {bobs_action.pk} " in text
    assert f"Late progress updates: 1\n  {overdue.pk} " in text
    call_command("plan_reminders", "--days", "3", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["pete@example.org"], ["bob@example.org"]]


# Overdue actions and late updates -----------------------------------------------------------


@pytest.fixture
def late(plan, pete, bob):
    today = timezone.localdate()
    past = today - timedelta(days=10)
    bobs = _action(plan, pete, "Bob's overdue action", owner=bob, ends_on=past)
    petes = _action(plan, pete, "Pete's stale action", owner=pete)
    done = _action(plan, pete, "Finished long ago", owner=bob, ends_on=past, status="complete")
    Action.objects.filter(pk__in=[petes.pk, done.pk]).update(next_update_due=past)
    return bobs, petes, done


def test_a_plan_manager_sees_every_overdue_action_and_late_update(pete, late):
    bobs, petes, _ = late
    response = signed_in(pete).get(reverse("plans:overdue"))
    assert [a.pk for a in response.context["overdue_actions"]] == [bobs.pk]
    assert [a.pk for a in response.context["stale"]] == [petes.pk]
    page = response.content.decode()
    assert "Finished long ago" not in page


def test_an_owner_sees_only_their_own(bob_client, late):
    bobs, _, _ = late
    response = bob_client.get(reverse("plans:overdue"))
    assert [a.pk for a in response.context["overdue_actions"]] == [bobs.pk]
    assert response.context["stale"] == []
    assert "Pete&#x27;s stale action" not in response.content.decode()


@pytest.mark.parametrize("who", ["charlie", "dora"])
def test_people_who_own_nothing_see_nothing_overdue(request, who, late):
    response = request.getfixturevalue(f"{who}_client").get(reverse("plans:overdue"))
    assert response.status_code == 200
    assert response.context["overdue_actions"] == [] and response.context["stale"] == []


def test_the_overdue_page_costs_a_fixed_number_of_queries(
    alice_client, plan, pete, bob, django_assert_max_num_queries
):
    past = timezone.localdate() - timedelta(days=3)
    for n in range(25):
        action = _action(plan, pete, f"Late {n}", owner=bob if n % 2 else pete, ends_on=past)
        Action.objects.filter(pk=action.pk).update(next_update_due=past)
    with django_assert_max_num_queries(8):
        response = alice_client.get(reverse("plans:overdue"))
    assert len(response.context["overdue_actions"]) == 25
    assert len(response.context["stale"]) == 25
