"""Assessment: assigning assessors, conflicts of interest, scoring, moderation and the
panel's decision with its letter, through the services and through the pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hub.conftest import signed_in
from hub.grants.letters import amount_in_words
from hub.grants.models import Application, Assignment, Award, Decision, Score
from hub.grants.selectors import applications_visible_to
from hub.grants.services import assessment as services
from hub.grants.services import money
from hub.organisations.models import Role
from hub.testing.factories import MembershipFactory, UserFactory, as_actor


def _url(name, application):
    return reverse(f"grants:{name}", args=[application.pk])


def _criteria(application):
    return list(application.fund.criteria.all())


def _scores(application, *values, comment=""):
    return {c.pk: (v, comment) for c, v in zip(_criteria(application), values)}


def _post_scores(application, *values, action="save", **extra):
    data = {"action": action, "comments": extra.pop("comments", "")}
    for c, v in zip(_criteria(application), values):
        data[f"score_{c.pk}"] = "" if v is None else str(v)
        data[f"comment_{c.pk}"] = extra.get("comment", "")
    return data


def _submit(assessor, application, *values):
    assignment = Assignment.objects.get(application=application, assessor=assessor)
    return services.assessment_submit(
        actor=as_actor(assessor),
        assignment=assignment,
        scores=_scores(application, *values),
        comments="",
    )


@pytest.fixture
def insider(partner):
    """An assessor who also belongs to the applicant organisation."""
    user = UserFactory(email="ivy@example.org", full_name="Ivy Insider")
    MembershipFactory(user=user, organisation=partner, role=Role.ASSESSOR)
    return user


@pytest.fixture
def gina_client(gina):
    return signed_in(gina)


@pytest.fixture
def sam_client(sam):
    return signed_in(sam)


@pytest.fixture
def other_application(fund, outsider_org, charlie):
    return Application.objects.create(
        reference="APP-000777",
        fund=fund,
        organisation=outsider_org,
        title="Boxing for wellbeing",
        amount_requested_pence=100_000,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        created_by=charlie,
    )


# --- Services ---------------------------------------------------------------------------


def test_assigning_assessors_moves_the_application_into_assessment(
    gina, sam, tess, submitted_application
):
    made = services.assessment_assign(
        actor=as_actor(gina), application=submitted_application, assessors=[sam, tess]
    )
    assert {a.assessor for a in made} == {sam, tess}
    submitted_application.refresh_from_db()
    assert submitted_application.status == Application.Status.ASSESSMENT


def test_an_assessor_from_the_applicant_organisation_is_refused_and_nothing_is_assigned(
    gina, sam, insider, submitted_application
):
    with pytest.raises(ValidationError) as caught:
        services.assessment_assign(
            actor=as_actor(gina), application=submitted_application, assessors=[sam, insider]
        )
    assert caught.value.message_dict == {
        "assessors": [
            "Ivy Insider belongs to Northfield Food Bank, the applicant: choose an assessor "
            "from another organisation"
        ]
    }
    assert not Assignment.objects.exists()
    submitted_application.refresh_from_db()
    assert submitted_application.status == Application.Status.SUBMITTED


def test_only_assessors_can_be_assigned_and_only_officers_assign(
    gina, sam, bob, submitted_application
):
    with pytest.raises(ValidationError) as caught:
        services.assessment_assign(
            actor=as_actor(gina), application=submitted_application, assessors=[bob]
        )
    assert caught.value.message_dict == {"assessors": ["Bob Baker is not an assessor"]}
    with pytest.raises(PermissionDenied):
        services.assessment_assign(
            actor=as_actor(sam), application=submitted_application, assessors=[sam]
        )
    assert not Assignment.objects.exists()


def test_a_draft_cannot_be_sent_for_assessment(gina, sam, application):
    with pytest.raises(ValidationError) as caught:
        services.assessment_assign(actor=as_actor(gina), application=application, assessors=[sam])
    assert "only submitted applications can be assessed" in caught.value.messages[0]
    assert not Assignment.objects.exists()


def test_declaring_a_conflict_hides_the_application_and_blocks_reassigning_them(
    gina, sam, assigned_application
):
    assignment = Assignment.objects.get(assessor=sam)
    with pytest.raises(ValidationError) as caught:
        services.conflict_declare(actor=as_actor(sam), assignment=assignment, reason="  ")
    assert caught.value.message_dict == {"reason": ["Say what the conflict of interest is"]}
    services.conflict_declare(
        actor=as_actor(sam), assignment=assignment, reason="My sister chairs its board"
    )
    assert assigned_application not in applications_visible_to(as_actor(sam))
    with pytest.raises(ValidationError) as caught:
        services.scores_save(
            actor=as_actor(sam),
            assignment=assignment,
            scores=_scores(assigned_application, 1, 1, 1),
            comments="",
        )
    assert not Score.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.assessment_assign(
            actor=as_actor(gina), application=assigned_application, assessors=[sam]
        )
    assert caught.value.message_dict == {
        "assessors": ["Sam Scott has declared a conflict of interest on this application"]
    }


def test_a_draft_keeps_what_is_scored_and_refuses_a_score_out_of_range(sam, assigned_application):
    assignment = Assignment.objects.get(assessor=sam)
    services.scores_save(
        actor=as_actor(sam),
        assignment=assignment,
        scores=_scores(assigned_application, 4, None, None),
        comments="So far",
    )
    assert Score.objects.get().score == 4
    first, second, _third = _criteria(assigned_application)
    with pytest.raises(ValidationError) as caught:
        services.scores_save(
            actor=as_actor(sam),
            assignment=assignment,
            scores={first.pk: (2, ""), second.pk: (6, "")},
            comments="",
        )
    assert caught.value.message_dict == {
        f"score_{second.pk}": ["The score for Reaches people most affected must be from 0 to 5"]
    }
    assert list(Score.objects.values_list("score", flat=True)) == [4]


def test_submitting_needs_every_criterion_scored_and_then_cannot_change(sam, assigned_application):
    assignment = Assignment.objects.get(assessor=sam)
    third = _criteria(assigned_application)[2]
    with pytest.raises(ValidationError) as caught:
        services.assessment_submit(
            actor=as_actor(sam),
            assignment=assignment,
            scores=_scores(assigned_application, 4, 3, None),
            comments="",
        )
    assert caught.value.message_dict == {
        f"score_{third.pk}": ["Choose a score for Value for money"]
    }
    assert not Score.objects.exists()
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
    _submit(sam, assigned_application, 4, 3, 2)
    with pytest.raises(ValidationError):
        services.scores_save(
            actor=as_actor(sam),
            assignment=assignment,
            scores=_scores(assigned_application, 0, 0, 0),
            comments="",
        )
    assert sorted(Score.objects.values_list("score", flat=True)) == [2, 3, 4]


def test_nobody_scores_for_someone_else(sam, tess, assigned_application):
    with pytest.raises(PermissionDenied):
        services.scores_save(
            actor=as_actor(tess),
            assignment=Assignment.objects.get(assessor=sam),
            scores=_scores(assigned_application, 1, 1, 1),
            comments="",
        )
    assert not Score.objects.exists()


def test_the_weighted_score_weighs_each_criterion(assigned_application):
    criteria = _criteria(assigned_application)  # weights 3, 2, 1; each out of 5
    values = dict(zip([c.pk for c in criteria], [4, 3, 2]))
    # (4*3 + 3*2 + 2*1) / (5*3 + 5*2 + 5*1) * 100 = 20 / 30 * 100
    assert services.weighted_score(criteria, values) == Decimal("66.67")
    assert services.weighted_score(criteria, dict(zip(values, [5, 5, 5]))) == Decimal("100.00")
    assert services.weighted_score(criteria, {criteria[0].pk: 5}) is None


def test_money_in_words_for_the_letter():
    assert amount_in_words(250_050) == "two thousand five hundred pounds and fifty pence"
    assert amount_in_words(100_501) == "one thousand and five pounds and one penny"
    assert amount_in_words(3_000_000) == "thirty thousand pounds"


# --- The assessor's queue and scoring page ----------------------------------------------


def test_sam_sees_only_the_applications_assigned_to_him(
    sam_client, assigned_application, other_application
):
    page = sam_client.get(reverse("grants:assessor_queue")).content.decode()
    assert "APP-000001" in page and "0 of 3 criteria scored" in page
    assert "APP-000777" not in page
    assert sam_client.get(_url("score", other_application)).status_code == 404


def test_the_queue_takes_a_fixed_number_of_queries(
    sam, sam_client, fund, partner, bob, django_assert_max_num_queries
):
    for n in range(15):
        application = Application.objects.create(
            reference=f"APP-8{n:05d}",
            fund=fund,
            organisation=partner,
            title=f"P{n}",
            amount_requested_pence=1000,
            status=Application.Status.ASSESSMENT,
            created_by=bob,
        )
        Assignment.objects.create(application=application, assessor=sam)
    with django_assert_max_num_queries(8):
        response = sam_client.get(reverse("grants:assessor_queue"))
    assert response.content.decode().count("criteria scored") == 15


def test_the_officers_overview_flags_conflicts_and_spread_in_few_queries(
    gina_client, sam, tess, assigned_application, other_application, django_assert_max_num_queries
):
    _submit(sam, assigned_application, 5, 5, 5)
    _submit(tess, assigned_application, 1, 1, 1)
    Assignment.objects.create(
        application=other_application, assessor=sam, conflict_declared=True, conflict_reason="x"
    )
    with django_assert_max_num_queries(10):
        page = gina_client.get(reverse("grants:assessor_queue")).content.decode()
    assert "Needs moderation" in page
    assert "Conflict declared: reassign" in page


@pytest.mark.parametrize("who", ["bob", "charlie", "dora", "alice"])
def test_people_who_neither_assess_nor_decide_cannot_see_the_queue(request, who):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("grants:assessor_queue")).status_code == 403


def test_the_score_page_asks_about_conflicts_first(sam_client, assigned_application):
    page = sam_client.get(_url("score", assigned_application)).content.decode()
    assert "Do you have a conflict of interest?" in page
    assert 'name="action"' not in page
    response = sam_client.post(
        _url("score", assigned_application), {"step": "conflict", "conflict": "no"}
    )
    assert response.status_code == 302
    page = sam_client.get(_url("score", assigned_application)).content.decode()
    assert "Do you have a conflict of interest?" not in page
    assert "Submit assessment" in page and "Save as draft" in page


def test_a_conflict_needs_a_reason_then_hides_the_application_and_flags_it(
    sam_client, gina_client, assigned_application
):
    url = _url("score", assigned_application)
    response = sam_client.post(url, {"step": "conflict", "conflict": "yes", "reason": ""})
    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()
    assert not Assignment.objects.filter(conflict_declared=True).exists()
    unanswered = sam_client.post(url, {"step": "conflict"})
    assert 'href="#id_conflict_0"' in unanswered.content.decode()

    sam_client.post(url, {"step": "conflict", "conflict": "yes", "reason": "I volunteer there"})
    assert sam_client.get(url).status_code == 404
    assert "APP-000001" not in sam_client.get(reverse("grants:assessor_queue")).content.decode()
    page = gina_client.get(_url("assign", assigned_application)).content.decode()
    assert "Conflict declared: reassign" in page and "I volunteer there" in page


def test_scores_are_saved_as_a_draft_and_submitted_through_the_page(
    sam_client, sam, assigned_application
):
    url = _url("score", assigned_application)
    sam_client.post(url, {"step": "conflict", "conflict": "no"})
    draft = sam_client.post(
        url, _post_scores(assigned_application, 4, None, None, comments="Strong")
    )
    assert draft.status_code == 302
    page = sam_client.get(url).content.decode()
    first = _criteria(assigned_application)[0]
    assert f'id="id_score_{first.pk}_4" checked' in page
    assert "Strong</textarea>" in page
    assert Score.objects.get().score == 4

    incomplete = sam_client.post(
        url, _post_scores(assigned_application, 4, 3, None, action="submit")
    )
    third = _criteria(assigned_application)[2]
    assert incomplete.status_code == 400
    assert f'href="#id_score_{third.pk}_0"' in incomplete.content.decode()
    assert Assignment.objects.get(assessor=sam).submitted_at is None
    assert Score.objects.count() == 1

    done = sam_client.post(url, _post_scores(assigned_application, 4, 3, 2, action="submit"))
    assert done.status_code == 302
    assert Assignment.objects.get(assessor=sam).submitted_at is not None
    page = sam_client.get(url).content.decode()
    assert "Weighted score: <strong>66.67%</strong>" in page
    assert 'name="action"' not in page


def test_bad_scores_are_named_and_nothing_is_saved(sam_client, assigned_application):
    url = _url("score", assigned_application)
    sam_client.post(url, {"step": "conflict", "conflict": "no"})
    first = _criteria(assigned_application)[0]
    for bad in ("99", "-1", "three", "<script>alert(1)</script>", "9" * 500):
        data = _post_scores(assigned_application, None, None, None)
        data[f"score_{first.pk}"] = bad
        response = sam_client.post(url, data)
        assert response.status_code == 400, bad
        page = response.content.decode()
        assert f'href="#id_score_{first.pk}_0"' in page
        assert "<script>alert(1)</script>" not in page
    huge = _post_scores(assigned_application, 1, None, None, comments="x" * 10_001)
    assert 'href="#id_comments"' in sam_client.post(url, huge).content.decode()
    assert not Score.objects.exists()


@pytest.mark.parametrize("who", ["bob", "charlie", "dora", "gina"])
def test_only_the_assigned_assessor_can_open_the_score_page(request, who, assigned_application):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(_url("score", assigned_application)).status_code in (403, 404)
    assert client.post(
        _url("score", assigned_application), {"step": "conflict", "conflict": "yes", "reason": "x"}
    ).status_code in (403, 404)
    assert not Assignment.objects.filter(conflict_declared=True).exists()


def test_an_assessor_not_assigned_gets_404(assigned_application, nhs_body):
    other = UserFactory(email="olly@example.org", full_name="Olly Other")
    MembershipFactory(user=other, organisation=nhs_body, role=Role.ASSESSOR)
    assert signed_in(other).get(_url("score", assigned_application)).status_code == 404


# --- Assigning through the page ---------------------------------------------------------


def test_gina_assigns_assessors_from_the_page(gina_client, sam, tess, submitted_application):
    page = gina_client.get(_url("assign", submitted_application)).content.decode()
    assert "Sam Scott (Ashworth Primary Care Network)" in page
    response = gina_client.post(
        _url("assign", submitted_application), {"assessors": [sam.pk, tess.pk]}
    )
    assert response.status_code == 302
    submitted_application.refresh_from_db()
    assert submitted_application.status == Application.Status.ASSESSMENT
    assert Assignment.objects.count() == 2


def test_the_page_refuses_an_assessor_from_the_applicant_with_a_clear_message(
    gina_client, sam, insider, submitted_application
):
    response = gina_client.post(
        _url("assign", submitted_application), {"assessors": [sam.pk, insider.pk]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_assessors_0"' in page
    assert "Ivy Insider belongs to Northfield Food Bank, the applicant" in page
    assert not Assignment.objects.exists()
    assert (
        gina_client.post(_url("assign", submitted_application), {"assessors": ["x"]}).status_code
        == 400
    )
    assert gina_client.post(_url("assign", submitted_application), {}).status_code == 400
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora", "sam"])
def test_only_grants_officers_assign(request, who, sam, submitted_application):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(_url("assign", submitted_application)).status_code == 403
    assert (
        client.post(_url("assign", submitted_application), {"assessors": [sam.pk]}).status_code
        == 403
    )
    assert not Assignment.objects.exists()


# --- Moderation and the decision --------------------------------------------------------


def test_the_decide_page_shows_each_assessors_weighted_score_and_flags_the_spread(
    gina_client, sam, tess, assigned_application
):
    _submit(sam, assigned_application, 5, 5, 5)
    _submit(tess, assigned_application, 2, 2, 2)
    page = gina_client.get(_url("decide", assigned_application)).content.decode()
    assert "Sam Scott" in page and "Tess Turner" in page
    assert "100.00%" in page and "40.00%" in page
    assert "60.00 points" in page and "Needs moderation" in page


def test_close_scores_need_no_moderation(gina_client, sam, tess, assigned_application):
    _submit(sam, assigned_application, 4, 4, 4)
    _submit(tess, assigned_application, 4, 3, 4)  # 80% and 73.33%
    page = gina_client.get(_url("decide", assigned_application)).content.decode()
    assert "6.67 points" in page and "Needs moderation" not in page


def test_awarding_makes_the_award_and_the_letter(gina_client, sam, assigned_application, fund):
    _submit(sam, assigned_application, 4, 4, 4)
    response = gina_client.post(
        _url("decide", assigned_application),
        {
            "moderated_score": "78.5",
            "outcome": "award",
            "amount": "£2,000.50",
            "reasons": "Strong on the food priority",
            "conditions": "Report households helped by March",
        },
    )
    award = Award.objects.get()
    assert response["Location"] == reverse("grants:award_detail", args=[award.pk])
    assert award.amount_pence == 200_050
    fund.refresh_from_db()
    assert fund.committed_pence == 200_050
    decision = Decision.objects.get()
    assert decision.moderated_score == Decimal("78.50")
    letter = assigned_application.__class__.objects.get(pk=assigned_application.pk).decision.letter
    for text in (
        "Northfield Food Bank",
        "APP-000001",
        "£2,000.50",
        "two thousand pounds and fifty pence",
        "Report households helped by March",
        "Strong on the food priority",
        "monitoring reports",
    ):
        assert text in letter, text


def test_declining_writes_a_letter_with_reasons_and_an_offer_of_feedback(
    gina_client, assigned_application, fund
):
    response = gina_client.post(
        _url("decide", assigned_application),
        {"outcome": "decline", "reasons": "Another fund suits this better"},
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.outcome == Decision.Outcome.DECLINE
    assert "Another fund suits this better" in decision.letter
    assert "feedback" in decision.letter and "APP-000001" in decision.letter
    page = gina_client.get(_url("decide", assigned_application)).content.decode()
    assert "Another fund suits this better" in page and "Record the decision" not in page
    fund.refresh_from_db()
    assert fund.committed_pence == 0


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-5", "The amount to award cannot be negative"),
        ("two grand", "Enter the amount to award in pounds and pence"),
        ("2,000.505", "no more than 2 decimal places"),
        ("99999999999999999999", "must be £100,000,000 or less"),
        ("2,500.01", "cannot be more than the £2,500.00 requested"),
        ("", "Enter the amount to award"),
        ("0", "The amount to award must be more than £0"),
    ],
)
def test_a_bad_amount_is_named_and_nothing_is_decided(
    gina_client, assigned_application, fund, amount, message
):
    response = gina_client.post(
        _url("decide", assigned_application),
        {"outcome": "award", "amount": amount, "reasons": "Good"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_amount"' in page and message in page
    assert not Decision.objects.exists() and not Award.objects.exists()
    fund.refresh_from_db()
    assert fund.committed_pence == 0


def test_missing_decision_and_reasons_are_named_and_hostile_text_is_escaped(
    gina_client, assigned_application
):
    response = gina_client.post(_url("decide", assigned_application), {"reasons": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_outcome_0"' in page and 'href="#id_reasons"' in page
    gina_client.post(
        _url("decide", assigned_application),
        {"outcome": "decline", "reasons": "<script>alert(1)</script>"},
    )
    page = gina_client.get(_url("decide", assigned_application)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_an_award_over_what_remains_is_named_on_the_amount(gina_client, assigned_application, fund):
    fund.budget_pence = 150_000
    fund.save()
    response = gina_client.post(
        _url("decide", assigned_application),
        {"outcome": "award", "amount": "2000", "reasons": "Good"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_amount"' in page
    assert "Only £1,500.00 remains in Emergency community wellbeing fund" in page
    assert not Award.objects.exists()


def test_a_decided_application_cannot_be_decided_again(gina, gina_client, assigned_application):
    money.application_decline(actor=as_actor(gina), application=assigned_application, reasons="No")
    response = gina_client.post(
        _url("decide", assigned_application),
        {"outcome": "award", "amount": "100", "reasons": "Yes"},
    )
    assert response.status_code == 302
    assert not Award.objects.exists()
    assert Decision.objects.get().outcome == Decision.Outcome.DECLINE


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora", "sam"])
def test_only_grants_officers_decide(request, who, assigned_application):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(_url("decide", assigned_application)).status_code == 403
    response = client.post(
        _url("decide", assigned_application), {"outcome": "award", "amount": "100", "reasons": "x"}
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_the_decide_page_takes_a_fixed_number_of_queries(
    gina_client, assigned_application, nhs_body, django_assert_max_num_queries
):
    for n in range(8):
        assessor = UserFactory(email=f"a{n}@example.org", full_name=f"Assessor {n}")
        MembershipFactory(user=assessor, organisation=nhs_body, role=Role.ASSESSOR)
        Assignment.objects.create(application=assigned_application, assessor=assessor)
        _submit(assessor, assigned_application, n % 6, 3, 2)
    with django_assert_max_num_queries(14):
        response = gina_client.get(_url("decide", assigned_application))
    assert response.content.decode().count("Assessor ") >= 8


def test_every_assessment_page_has_one_heading_a_title_and_no_inline_script_or_style(
    gina_client, sam_client, assigned_application
):
    pages = [
        (gina_client, reverse("grants:assessor_queue")),
        (gina_client, _url("assign", assigned_application)),
        (gina_client, _url("decide", assigned_application)),
        (sam_client, reverse("grants:assessor_queue")),
        (sam_client, _url("score", assigned_application)),
    ]
    for client, url in pages:
        page = client.get(url).content.decode()
        assert page.count("<h1") == 1, url
        assert "<title>" in page and "<title> –" not in page, url
        assert " style=" not in page and "<script>" not in page, url
