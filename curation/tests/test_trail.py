"""The audit trail of a plan version: the entries, the admin page and the CSV download."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from audit.context import recorded_change
from curation.trail import FieldChange, ItemKind, hide_copied, plan_trail
from imports.models import ImportWarning
from risks import workflow
from risks.models import ConcernCategory, PlanStatus, SafetyConcern
from risks.tests.factories import (
    AdditionalMeasureFactory,
    MilestoneFactory,
    PlanFactory,
    RoutineMeasureFactory,
    SafetyConcernFactory,
    SectionReferenceFactory,
    StudyFactory,
)

TRAIL_QUERIES = 17  # the ids of three container levels, plan, seven kinds of part,
# two snapshots, four kinds of names
RECLASSIFIED = "Reclassified after PRAC assessment"


def url(plan, csv=False):
    return f"/admin/audit/plans/{plan.pk}/{'csv/' if csv else ''}"


def changes(entry):
    return [(change.field, change.old, change.new) for change in entry.changes]


def only(entries, **attributes):
    found = [e for e in entries if all(getattr(e, k) == v for k, v in attributes.items())]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def lemtrada(seeded):
    return seeded["lemtrada"].plans.get()


@pytest.fixture
def version_2(lemtrada, curator, reviewer):
    """Lemtrada version 2: a copy of version 1 with malignancies reclassified, published."""
    plan = workflow.start_new_version(
        lemtrada, user=curator, version="2", reason="New version after the 2024 assessment"
    )
    with recorded_change(RECLASSIFIED, curator):
        concern = plan.safety_concerns.get(name="Malignancies")
        concern.category = ConcernCategory.IDENTIFIED
        concern.save()
    workflow.record_edit(plan, curator)
    workflow.submit_for_review(plan, user=curator, reason="Ready for review")
    return workflow.publish(plan, user=reviewer, reason="Checked against the assessment report")


@pytest.fixture
def small_plan(django_user_model):
    """A draft with one of each kind of part, edited by a named curator."""
    editor = django_user_model.objects.create_user(
        "jdoe", first_name="Jane", last_name="Doe", is_staff=True
    )
    plan = PlanFactory(draft=True, product__name="Tecfidera", product__slug="tecfidera")
    concern = SafetyConcernFactory(
        plan=plan, name="Hepatotoxicity", category=ConcernCategory.POTENTIAL, evidence=""
    )
    reference = SectionReferenceFactory(routine_measure__safety_concern=concern, section="4.4")
    study = StudyFactory(plan=plan, code="OBS13434")
    milestone = MilestoneFactory(study=study, description="Final report", due="Q3 2024")
    measure = AdditionalMeasureFactory(plan=plan, name="Patient card")
    with recorded_change("Linked after checking the source", editor):
        measure.safety_concerns.add(concern)
        milestone.reported_on = "2024-09-30"
        milestone.save()
    return {
        "plan": plan,
        "editor": editor,
        "concern": concern,
        "reference": reference,
        "measure": measure,
        "study": study,
    }


# The entries


def test_the_seeded_plan_was_created_by_the_system_with_every_part(lemtrada):
    entries = plan_trail(lemtrada)

    first = entries[0]
    assert (first.kind, first.action, first.who, first.item) == (
        ItemKind.PLAN,
        "Created",
        "system",
        "Lemtrada RMP version 1",
    )
    assert {entry.reason for entry in entries} == {"Loaded the curated seed data (lemtrada.yaml)."}
    assert {entry.who for entry in entries} == {"system"}
    created_concerns = [
        e for e in entries if e.kind == ItemKind.SAFETY_CONCERN and e.action == "Created"
    ]
    assert len(created_concerns) == lemtrada.safety_concerns.count() == 23
    assert [entry.sort_key for entry in entries] == sorted(entry.sort_key for entry in entries)
    assert all(entry.when.utcoffset() == timezone.timedelta(0) for entry in entries)
    assert not [entry for entry in entries if "Uplizna" in entry.item]


def test_a_created_entry_lists_the_initial_values_without_ids_or_positions(small_plan):
    entries = plan_trail(small_plan["plan"])

    concern = only(entries, kind=ItemKind.SAFETY_CONCERN)
    assert concern.item == "Safety concern “Hepatotoxicity”"
    assert changes(concern) == [
        ("Category", "", "Important potential risk"),
        ("Name", "", "Hepatotoxicity"),
    ]
    reference = only(entries, kind=ItemKind.SECTION_REFERENCE)
    assert reference.item == "Section reference SmPC 4.4 (routine measure of “Hepatotoxicity”)"
    assert changes(reference) == [
        ("Document", "", "Summary of product characteristics"),
        ("Section number", "", "4.4"),
    ]
    created_milestone = only(entries, kind=ItemKind.MILESTONE, action="Created")
    assert created_milestone.item == "Milestone “Final report” of study OBS13434"
    assert ("Due (as written)", "", "Q3 2024") in changes(created_milestone)
    assert ("Normalised due date", "", "2024-09-30") in changes(created_milestone)


def test_a_change_names_the_user_the_reason_and_the_old_and_new_values(small_plan):
    entries = plan_trail(small_plan["plan"])

    reported = only(entries, kind=ItemKind.MILESTONE, action="Changed")
    assert (reported.who, reported.username, reported.reason) == (
        "jdoe (Jane Doe)",
        "jdoe",
        "Linked after checking the source",
    )
    assert changes(reported) == [("Reported on", "", "2024-09-30")]
    linked = only(entries, kind=ItemKind.ADDITIONAL_MEASURE, action="Changed")
    assert linked.item == "Additional measure “Patient card”"
    assert linked.changes == (
        FieldChange("Safety concerns", "", "added: Hepatotoxicity", summary=True),
    )


def test_the_new_version_reads_as_copy_reclassification_and_publication(version_2, lemtrada):
    entries = plan_trail(version_2)

    plan_entries = [entry for entry in entries if entry.kind == ItemKind.PLAN]
    assert [(entry.action, entry.who, entry.reason) for entry in plan_entries] == [
        ("Started as a copy of version 1", "curator", "New version after the 2024 assessment"),
        ("Submitted for review", "curator", "Ready for review"),
        ("Published", "reviewer", "Checked against the assessment report"),
    ]
    assert ("Copied from", "", "Lemtrada RMP version 1") in changes(plan_entries[0])
    assert ("Status", "In review", "Published") in changes(plan_entries[2])
    assert ("Published by", "", "reviewer") in changes(plan_entries[2])

    reclassified = only(entries, reason=RECLASSIFIED)
    assert (reclassified.action, reclassified.item, reclassified.who) == (
        "Changed",
        "Safety concern “Malignancies”",
        "curator",
    )
    assert changes(reclassified) == [
        ("Category", "Important potential risk", "Important identified risk")
    ]
    copied = [entry for entry in entries if entry.kind == ItemKind.SAFETY_CONCERN]
    assert len([entry for entry in copied if entry.is_created]) == 23

    superseded = plan_trail(lemtrada)[-1]
    assert (superseded.action, superseded.who) == ("Superseded", "reviewer")
    assert changes(superseded)[0] == ("Status", "Published", "Superseded")
    assert not [entry for entry in plan_trail(lemtrada) if entry.reason == RECLASSIFIED]


def test_a_version_sent_back_to_draft_says_so(small_plan, curator):
    plan = small_plan["plan"]
    workflow.submit_for_review(plan, user=curator, reason="Ready")
    workflow.return_to_draft(plan, user=curator, reason="The studies need another look")

    actions = [entry.action for entry in plan_trail(plan) if entry.kind == ItemKind.PLAN]
    assert actions == ["Created", "Submitted for review", "Sent back to draft"]


def test_deleted_parts_stay_in_the_trail(small_plan, curator):
    plan, concern, measure = small_plan["plan"], small_plan["concern"], small_plan["measure"]
    with recorded_change("Not a risk of this medicine", curator):
        concern.delete()
    with recorded_change("Wording of the source", curator):
        measure.description = "A wallet card."
        measure.save()

    entries = plan_trail(plan)

    deleted = [entry for entry in entries if entry.is_deleted]
    assert sorted((entry.action, entry.item, entry.changes) for entry in deleted) == [
        ("Deleted", "Routine measure of “Hepatotoxicity”", ()),
        ("Deleted", "Safety concern “Hepatotoxicity”", ()),
        ("Deleted", "Section reference SmPC 4.4 (routine measure of “Hepatotoxicity”)", ()),
    ]
    assert {entry.reason for entry in deleted} == {"Not a risk of this medicine"}
    # The concern's links went with it: the next change of the measure does not repeat that.
    reworded = only(entries, reason="Wording of the source")
    assert changes(reworded) == [("Description", "", "A wallet card.")]
    assert not SafetyConcern.objects.filter(plan=plan).exists()


def test_links_added_and_removed_are_named(small_plan, curator):
    plan, measure = small_plan["plan"], small_plan["measure"]
    with recorded_change("Second concern", curator):
        infections = SafetyConcernFactory(plan=plan, name="Infections")
    with recorded_change("The card is about infections only", curator):
        measure.safety_concerns.set([infections])

    entries = [e for e in plan_trail(plan) if e.reason == "The card is about infections only"]

    assert [change.new for entry in entries for change in entry.changes] == [
        "removed: Hepatotoxicity",
        "added: Infections",
    ]


def test_a_renamed_concern_and_its_parts_are_named_as_they_were_then(small_plan, curator):
    plan, concern = small_plan["plan"], small_plan["concern"]
    with recorded_change("Name as in the II.B table", curator):
        concern.name = "Drug-induced liver injury"
        concern.save()
        RoutineMeasureFactory(safety_concern=concern, text="SmPC section 4.8.")

    entries = plan_trail(plan)

    renamed = only(entries, kind=ItemKind.SAFETY_CONCERN, action="Changed")
    assert renamed.item == "Safety concern “Drug-induced liver injury”"
    assert changes(renamed) == [("Name", "Hepatotoxicity", "Drug-induced liver injury")]
    measures = [e.item for e in entries if e.kind == ItemKind.ROUTINE_MEASURE]
    assert measures == [
        "Routine measure of “Hepatotoxicity”",
        "Routine measure of “Drug-induced liver injury”",
    ]


def test_a_concern_moved_to_another_version_leaves_with_its_move(small_plan, curator):
    plan, concern = small_plan["plan"], small_plan["concern"]
    other = PlanFactory(draft=True, product=plan.product, version="2")
    with recorded_change("Belongs to version 2", curator):
        concern.plan = other
        concern.save()
    with recorded_change("Changed in version 2", curator):
        concern.evidence = "Case reports."
        concern.save()

    moved = only(plan_trail(plan), reason="Belongs to version 2")
    assert changes(moved) == [
        ("Plan", f"Tecfidera RMP version {plan.version}", "Tecfidera RMP version 2")
    ]
    assert not [entry for entry in plan_trail(plan) if entry.reason == "Changed in version 2"]
    moved_in = [e for e in plan_trail(other) if e.kind == ItemKind.SAFETY_CONCERN]
    assert [entry.reason for entry in moved_in] == [
        "Belongs to version 2",
        "Changed in version 2",
    ]


def test_import_warnings_and_their_resolution_are_in_the_trail(small_plan, curator):
    plan = small_plan["plan"]
    warning = ImportWarning.objects.create(
        plan=plan,
        safety_concern=small_plan["concern"],
        subject="Safety concern “Hepatotoxicity”",
        message="No routine measure found.",
    )
    with recorded_change("Checked against the source", curator):
        warning.resolved = True
        warning.save()

    entries = [e for e in plan_trail(plan) if e.kind == ItemKind.IMPORT_WARNING]

    assert [(e.action, e.item) for e in entries] == [
        ("Created", "Import warning (Safety concern “Hepatotoxicity”)"),
        ("Changed", "Import warning (Safety concern “Hepatotoxicity”)"),
    ]
    assert ("Safety concern", "", "Hepatotoxicity") in changes(entries[0])
    assert changes(entries[1]) == [("Resolved", "No", "Yes")]


def test_long_texts_are_kept_whole(small_plan, curator):
    concern = small_plan["concern"]
    evidence = "Hepatic failure was reported. " * 40
    with recorded_change("Evidence from the source", curator):
        concern.evidence = evidence.strip()
        concern.save()

    change = only(plan_trail(small_plan["plan"]), reason="Evidence from the source").changes[0]

    assert (change.field, change.old, change.new) == (
        "Evidence for linking the risk to the medicine",
        "",
        evidence.strip(),
    )
    assert change.new_is_long and not change.old_is_long


def test_the_number_of_queries_does_not_grow_with_the_history(
    lemtrada, small_plan, django_assert_num_queries
):
    with django_assert_num_queries(TRAIL_QUERIES):
        large = plan_trail(lemtrada)
    with django_assert_num_queries(TRAIL_QUERIES):
        small = plan_trail(small_plan["plan"])
    assert len(large) > 300 > 10 > len(small)


# The page


@pytest.mark.parametrize("client_fixture", ["curator_client", "reviewer_client", "admin_client"])
def test_staff_who_may_view_plans_see_the_trail(request, client_fixture, version_2):
    client = request.getfixturevalue(client_fixture)

    response = client.get(url(version_2))

    assert response.status_code == 200
    assert response.context["title"] == "Audit trail of Lemtrada RMP version 2"
    entries = plan_trail(version_2)
    assert len(response.context["entries"]) == len(hide_copied(entries)) == 4
    content = response.content.decode()
    assert "<h1>Audit trail of Lemtrada RMP version 2</h1>" in content
    assert re.search(r"Important potential risk.*→.*Important identified risk", content, re.S)
    assert RECLASSIFIED in content
    assert ">Started as a copy of version 1<" in content


@pytest.mark.parametrize("suffix", ["", "csv/"])
def test_anonymous_and_non_staff_users_are_sent_to_the_admin_login(
    client, django_user_model, lemtrada, suffix
):
    target = url(lemtrada) + suffix
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")

    member = django_user_model.objects.create_user("member", password="a-long-test-password")
    member.user_permissions.add(Permission.objects.get(codename="view_riskmanagementplan"))
    client.force_login(member)
    assert client.get(target)["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize("suffix", ["", "csv/"])
def test_staff_without_the_view_permission_are_refused(client, django_user_model, lemtrada, suffix):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(url(lemtrada) + suffix).status_code == 403


@pytest.mark.parametrize("suffix", ["", "csv/"])
def test_an_unknown_version_is_not_found(reviewer_client, suffix):
    assert reviewer_client.get(f"/admin/audit/plans/999999/{suffix}").status_code == 404


def test_the_trail_of_a_draft_is_visible_to_staff(reviewer_client, small_plan):
    assert small_plan["plan"].status == PlanStatus.DRAFT
    response = reviewer_client.get(url(small_plan["plan"]))
    assert response.status_code == 200
    assert "(not on the public site)" in response.content.decode()


def test_the_summary_says_who_created_submitted_and_published(reviewer_client, version_2):
    response = reviewer_client.get(url(version_2))

    summary = response.content.decode().split('class="module audit-summary"')[1].split("</dl>")[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", summary).split())
    assert "Status Published" in text
    assert "Created as a copy of version 1 , by curator," in text
    assert "Submitted for review by curator," in text
    assert "Published by reviewer," in text
    assert f"Entries {len(plan_trail(version_2))} recorded changes" in text


def test_filters_by_kind_and_user_and_order(reviewer_client, version_2):
    response = reviewer_client.get(url(version_2), {"kind": "plan", "order": "newest"})
    assert [entry.action for entry in response.context["entries"]] == [
        "Published",
        "Submitted for review",
        "Started as a copy of version 1",
    ]
    assert ("Kind of item", "Plan version", "?order=newest") in response.context["active_filters"]

    response = reviewer_client.get(url(version_2), {"user": "reviewer"})
    assert [entry.action for entry in response.context["entries"]] == ["Published"]
    assert f'href="{url(version_2, csv=True)}?user=reviewer"' in response.content.decode()

    response = reviewer_client.get(url(version_2), {"kind": "safety_concern", "user": "curator"})
    assert len(response.context["entries"]) == 1  # the copy's 23 rows are hidden
    query = {"kind": "safety_concern", "user": "curator", "copies": "shown"}
    entries = reviewer_client.get(url(version_2), query).context["entries"]
    assert len(entries) == 24
    assert {(entry.kind, entry.who) for entry in entries} == {(ItemKind.SAFETY_CONCERN, "curator")}


def test_changes_made_without_a_user_are_filtered_as_system(reviewer_client, lemtrada):
    response = reviewer_client.get(url(lemtrada), {"user": "~system", "kind": "study"})
    entries = response.context["entries"]
    assert entries and {(entry.who, entry.kind) for entry in entries} == {
        ("system", ItemKind.STUDY)
    }
    assert '<option value="~system" selected>system (' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "history"}, "“history” is not a kind of item: choose one from the list."),
        ({"user": "nobody"}, "“nobody” made no recorded change to this version"),
        ({"order": "sideways"}, "Order: Select a valid choice."),
    ],
)
def test_invalid_filters_are_a_bad_request_with_a_message(
    reviewer_client, lemtrada, query, message
):
    response = reviewer_client.get(url(lemtrada), query)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert "entries" not in response.context

    response = reviewer_client.get(url(lemtrada, csv=True), query)
    assert response.status_code == 400


def test_the_page_reads_a_fixed_number_of_queries(
    reviewer_client, lemtrada, small_plan, django_assert_num_queries
):
    # Session and user (2), their permissions (2), the plan (1), the session saved (3).
    page_queries = TRAIL_QUERIES + 8
    for plan in (lemtrada, small_plan["plan"]):
        with django_assert_num_queries(page_queries):
            assert reviewer_client.get(url(plan)).status_code == 200


def test_long_texts_fold_on_screen_and_print_whole(reviewer_client, small_plan, curator):
    concern = small_plan["concern"]
    evidence = "Hepatic failure was reported in post-marketing use. " * 10
    with recorded_change("Evidence from the source", curator):
        concern.evidence = evidence.strip()
        concern.save()

    content = reviewer_client.get(url(small_plan["plan"])).content.decode()

    assert '<details class="audit-long">' in content
    assert f"show all {len(evidence.strip())} characters" in content
    assert content.count(evidence.strip()) == 2  # folded on screen, whole in print


# The CSV download


def read_csv(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_the_csv_has_one_row_per_changed_field(reviewer_client, version_2):
    response = reviewer_client.get(url(version_2, csv=True), {"copies": "shown"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="audit-lemtrada-v2.csv"'
    rows = read_csv(response)
    assert list(rows[0]) == [
        "timestamp_utc",
        "user",
        "action",
        "item_type",
        "item",
        "field",
        "old_value",
        "new_value",
        "reason",
    ]
    entries = plan_trail(version_2)
    assert len(rows) == sum(max(len(entry.changes), 1) for entry in entries)
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["timestamp_utc"]) for row in rows
    )
    reclassified = [row for row in rows if row["reason"] == RECLASSIFIED]
    assert [(r["user"], r["action"], r["item_type"], r["item"]) for r in reclassified] == [
        ("curator", "Changed", "Safety concern", "Safety concern “Malignancies”")
    ]
    assert [(r["field"], r["old_value"], r["new_value"]) for r in reclassified] == [
        ("Category", "Important potential risk", "Important identified risk")
    ]
    published = [row for row in rows if row["action"] == "Published"]
    assert {row["field"] for row in published} == {"Status", "Published at", "Published by"}


def test_the_rows_of_the_copy_are_hidden_until_asked_for(reviewer_client, version_2):
    entries = plan_trail(version_2)
    copied = [entry for entry in entries if entry.from_copy]
    assert len(copied) == len(entries) - 4 == 374
    assert {entry.action for entry in copied} == {"Created", "Changed"}  # links to concerns
    assert {entry.reason for entry in copied} == {"New version after the 2024 assessment"}
    # The copy's own row, the reclassification and the two steps stay.
    shown = [entry.action for entry in hide_copied(entries)]
    assert shown == [
        "Started as a copy of version 1",
        "Changed",
        "Submitted for review",
        "Published",
    ]

    response = reviewer_client.get(url(version_2))
    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "374 rows are hidden: created by copying version 1 into this one" in text
    assert 'href="?copies=shown">Show them</a>' in response.content.decode()

    response = reviewer_client.get(url(version_2), {"copies": "shown", "order": "newest"})
    assert len(response.context["entries"]) == 378
    page = response.content.decode()
    assert "Showing the 374 rows created by copying version 1 into this one." in page
    assert 'href="?order=newest">Hide them</a>' in page


def test_a_version_not_started_as_a_copy_has_nothing_to_hide(reviewer_client, small_plan):
    response = reviewer_client.get(url(small_plan["plan"]))
    assert "copies" not in response.context["form"].fields
    assert "created by copying" not in response.content.decode()


def test_the_csv_follows_the_filters(reviewer_client, version_2):
    rows = read_csv(reviewer_client.get(url(version_2, csv=True), {"kind": "plan"}))
    assert {row["item_type"] for row in rows} == {"Plan version"}
    assert rows[0]["action"] == "Started as a copy of version 1"


def test_an_entry_without_field_changes_is_one_csv_row(reviewer_client, small_plan, curator):
    with recorded_change("Not a risk of this medicine", curator):
        small_plan["concern"].delete()

    rows = read_csv(reviewer_client.get(url(small_plan["plan"], csv=True)))

    deleted = [row for row in rows if row["item"] == "Safety concern “Hepatotoxicity”"]
    assert [(row["action"], row["field"], row["old_value"], row["new_value"]) for row in deleted][
        -1
    ] == ("Deleted", "", "", "")


def test_csv_cells_cannot_become_formulas(reviewer_client, small_plan, curator):
    measure = small_plan["measure"]
    with recorded_change("+ wording from the source", curator):
        measure.description = '=HYPERLINK("https://example.com")'
        measure.save()
    with recorded_change("Plain again", curator):
        measure.description = "@SUM(1)"
        measure.save()

    rows = read_csv(reviewer_client.get(url(small_plan["plan"], csv=True)))

    changed = [row for row in rows if row["item"] == "Additional measure “Patient card”"]
    changed = [row for row in changed if row["field"] == "Description"]
    assert [(row["old_value"], row["new_value"], row["reason"]) for row in changed] == [
        ("", '\'=HYPERLINK("https://example.com")', "'+ wording from the source"),
        ('\'=HYPERLINK("https://example.com")', "'@SUM(1)", "Plain again"),
    ]


def test_the_csv_file_name_is_safe_for_any_version_label(reviewer_client, small_plan):
    plan = small_plan["plan"]
    plan.version = "7.1 (draft/2)"
    plan.save()
    response = reviewer_client.get(url(plan, csv=True))
    assert (
        response["Content-Disposition"] == 'attachment; filename="audit-tecfidera-v7.1-draft-2.csv"'
    )


@pytest.mark.django_db
def test_an_edit_reads_as_one_entry_though_the_version_records_its_revision(
    lemtrada, curator_client, curator
):
    from audit.tests.test_admin_reason import change_url, form_data

    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")
    concern = draft.safety_concerns.get(name="Malignancies")
    data = form_data(curator_client.get(change_url(concern)))
    response = curator_client.post(
        change_url(concern), {**data, "name": "Malignancies (all)", "change_reason": "Renamed"}
    )
    assert response.status_code == 302

    rows = draft.history.order_by("history_date", "history_id")
    assert [(row.revision, row.history_user, row.history_change_reason) for row in rows] == [
        (0, curator, "New RMP"),
        (1, curator, "Renamed"),
    ]
    renamed = [entry for entry in plan_trail(draft) if entry.reason == "Renamed"]
    assert [(entry.kind, entry.action, changes(entry)) for entry in renamed] == [
        (ItemKind.SAFETY_CONCERN, "Changed", [("Name", "Malignancies", "Malignancies (all)")])
    ]
