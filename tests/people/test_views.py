"""People screens: sign-in, password reset, home, directory, profiles, tokens, language."""

import re

import pytest
from django.urls import reverse

from practica.people.models import PersonalAccessToken, User
from practica.people.services import create_access_token
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.people import DEFAULT_PASSWORD, OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def names_in(response) -> list[str]:
    return [person.display_name for person in response.context["page_obj"].object_list]


# --- Sign in and out ---------------------------------------------------------------------------


def test_sign_in_accepts_the_email_in_any_case(client):
    person = UserFactory(email="ada.lovelace@example.com")

    response = client.post(
        reverse("people:login"),
        {"username": "  Ada.LOVELACE@Example.COM ", "password": DEFAULT_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(person.pk)


def test_sign_in_with_a_wrong_password_shows_an_error_and_signs_nobody_in(client):
    UserFactory(email="ada@example.com")

    response = client.post(
        reverse("people:login"), {"username": "ada@example.com", "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "do not match an account" in response.content.decode()


def test_sign_out_is_a_post_and_ends_the_session(signed_in):
    assert signed_in.get(reverse("people:logout")).status_code == 405

    response = signed_in.post(reverse("people:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in signed_in.session


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("people:directory"),
        reverse("people:profile_edit"),
        reverse("people:tokens"),
        "/people/1/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login") + "?next=")


# --- Password reset ----------------------------------------------------------------------------


def test_password_reset_sends_one_mail_with_a_working_link(client, mailoutbox):
    person = UserFactory(email="grace@example.com")

    response = client.post(reverse("people:password_reset"), {"email": "Grace@Example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("people:password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["grace@example.com"]
    assert message.subject == "Choose a new Practica password"
    link = re.search(r"https?://[^/\s]+(/people/password-reset/\S+/)", message.body).group(1)

    # The link leads to the set-password form, which changes the password.
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-Long-passphrase-9", "new_password2": "a-new-Long-passphrase-9"},
    )
    assert done["Location"] == reverse("people:password_reset_complete")
    person.refresh_from_db()
    assert person.check_password("a-new-Long-passphrase-9")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("people:password_reset"), {"email": "nobody@example.com"})

    assert response["Location"] == reverse("people:password_reset_done")
    assert mailoutbox == []


def test_password_reset_mail_goes_through_the_outbox(client, settings):
    from practica.mail.models import OutboundMessage

    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
    settings.DELIVERY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    UserFactory(email="grace@example.com")

    client.post(reverse("people:password_reset"), {"email": "grace@example.com"})

    rows = list(OutboundMessage.objects.all())
    assert len(rows) == 1
    assert rows[0].idempotency_key.startswith("password-reset:")


# --- Home --------------------------------------------------------------------------------------


def test_home_lists_my_communities_with_member_counts(signed_in, member):
    mine = CommunityFactory(name="Machine Learning")
    MembershipFactory(community=mine, person=member)
    MembershipFactory.create_batch(2, community=mine)
    CommunityFactory(name="Not Mine")

    response = signed_in.get(reverse("home"))

    assert response.status_code == 200
    communities = response.context["communities"]
    assert [c.name for c in communities] == ["Machine Learning"]
    assert communities[0].member_count == 3
    assert "3 members" in response.content.decode()


# --- Directory ---------------------------------------------------------------------------------


def test_directory_searches_by_name_text(signed_in):
    UserFactory(display_name="Ada Lovelace")
    UserFactory(display_name="Grace Hopper")

    response = signed_in.get(reverse("people:directory"), {"q": "lovelace"})

    assert names_in(response) == ["Ada Lovelace"]


def test_directory_filters_by_topic_including_sub_topics_closest_match_first(signed_in):
    nlp = TopicFactory(name="NLP")
    translation = TopicFactory(name="Machine translation", parent=nlp)
    vision = TopicFactory(name="Vision")
    UserFactory(display_name="A Translator", expertise=[translation])
    UserFactory(display_name="B NLP person", expertise=[nlp])
    UserFactory(display_name="C Vision person", expertise=[vision])

    response = signed_in.get(reverse("people:directory"), {"topic": nlp.slug})

    assert names_in(response) == ["B NLP person", "A Translator"]
    assert response.context["selected_topic"] == nlp


def test_directory_filters_by_org_unit_including_descendants(signed_in):
    research = OrgUnitFactory(name="Research")
    team = OrgUnitFactory(name="Language Team", parent=research, kind="team")
    sales = OrgUnitFactory(name="Sales")
    UserFactory(display_name="In Research", org_unit=research)
    UserFactory(display_name="In Team", org_unit=team)
    UserFactory(display_name="In Sales", org_unit=sales)

    response = signed_in.get(reverse("people:directory"), {"org_unit": research.slug})

    assert names_in(response) == ["In Research", "In Team"]


def test_directory_filters_by_location_and_role(signed_in):
    UserFactory(display_name="Beijing researcher", location="Beijing", role="researcher")
    UserFactory(display_name="Beijing engineer", location="Beijing", role="engineer")
    UserFactory(display_name="Seattle researcher", location="Seattle", role="researcher")

    by_location = signed_in.get(reverse("people:directory"), {"location": "beijing"})
    both = signed_in.get(reverse("people:directory"), {"location": "Beijing", "role": "researcher"})

    assert names_in(by_location) == ["Beijing engineer", "Beijing researcher"]
    assert names_in(both) == ["Beijing researcher"]


def test_directory_with_an_unknown_topic_says_so_and_still_lists_people(signed_in, member):
    response = signed_in.get(reverse("people:directory"), {"topic": "no-such-topic"})

    assert response.status_code == 200
    assert "There is no such topic." in response.content.decode()
    assert member.display_name in names_in(response)


def test_directory_paginates_and_keeps_the_filters_in_page_links(signed_in, settings):
    settings.PRACTICA_PAGE_SIZE = 3
    for n in range(7):
        UserFactory(display_name=f"Engineer {n}", role="engineer", location="Oslo")

    first = signed_in.get(reverse("people:directory"), {"location": "Oslo"})
    third = signed_in.get(reverse("people:directory"), {"location": "Oslo", "page": 3})

    assert names_in(first) == ["Engineer 0", "Engineer 1", "Engineer 2"]
    assert names_in(third) == ["Engineer 6"]
    assert first.context["page_obj"].paginator.num_pages == 3
    assert 'href="?location=Oslo&amp;page=2"' in first.content.decode()


def test_directory_htmx_request_returns_only_the_results_partial(signed_in):
    UserFactory(display_name="Ada Lovelace")

    response = signed_in.get(
        reverse("people:directory"), {"q": "ada"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ada Lovelace" in html
    assert "<html" not in html
    assert "<form" not in html
    assert 'role="status"' in html


def test_directory_full_page_has_the_htmx_form_and_results(signed_in):
    html = signed_in.get(reverse("people:directory")).content.decode()

    assert "<html" in html
    assert 'hx-target="#directory-results"' in html
    assert 'id="directory-results"' in html


def test_directory_empty_state(signed_in):
    response = signed_in.get(reverse("people:directory"), {"q": "zzzz-nobody"})

    assert names_in(response) == []
    assert "Nobody matches these filters" in response.content.decode()


def test_directory_hides_people_who_left_and_system_accounts(signed_in):
    UserFactory(display_name="Gone Person", left_on="2020-01-01")
    UserFactory(display_name="Robot Account", is_system=True)

    response = signed_in.get(reverse("people:directory"), {"q": "o"})

    assert "Gone Person" not in names_in(response)
    assert "Robot Account" not in names_in(response)


# --- Profile -----------------------------------------------------------------------------------


def test_profile_shows_the_person_and_their_context(signed_in):
    division = OrgUnitFactory(name="Research")
    team = OrgUnitFactory(name="Language Team", parent=division, kind="team")
    boss = UserFactory(display_name="The Boss")
    topic = TopicFactory(name="Machine translation")
    person = UserFactory(
        display_name="Wei Zhang",
        job_title="Principal Scientist",
        org_unit=team,
        manager=boss,
        time_zone="Asia/Shanghai",
        languages=["English", "中文"],
        bio="I build translation systems.",
        expertise=[topic],
    )
    report = UserFactory(display_name="A Report", manager=person)
    community = CommunityFactory(name="AI Community")
    MembershipFactory(community=community, person=person)

    response = signed_in.get(reverse("people:profile", args=[person.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert [unit.name for unit in response.context["org_chain"]] == ["Research", "Language Team"]
    assert list(response.context["reports"]) == [report]
    assert str(response.context["local_time"].tzinfo) == "Asia/Shanghai"
    for text in ("Wei Zhang", "Principal Scientist", "The Boss", "中文", "I build translation"):
        assert text in html
    assert f"?topic={topic.slug}" in html
    assert "AI Community" in html
    assert response.context["can_edit"] is False  # it is not my profile
    assert reverse("people:profile_edit_for", args=[person.pk]) not in html


def test_profile_of_an_unknown_person_is_404(signed_in):
    assert signed_in.get(reverse("people:profile", args=[999999])).status_code == 404


# --- Profile edit ------------------------------------------------------------------------------


def profile_data(**overrides):
    data = {
        "display_name": "Ada Lovelace",
        "job_title": "Analyst",
        "role": "researcher",
        "career_level": "7",
        "location": "London",
        "country": "gb",
        "time_zone": "Europe/London",
        "languages": "English, French",
        "bio": "Engines.",
        "expertise": [],
    }
    data.update(overrides)
    return data


def test_profile_edit_saves_through_the_service(signed_in, member):
    topic = TopicFactory(name="Analytical engines")

    response = signed_in.post(reverse("people:profile_edit"), profile_data(expertise=[topic.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("people:profile", args=[member.pk])
    member.refresh_from_db()
    assert member.display_name == "Ada Lovelace"
    assert member.career_level == 7
    assert member.country == "GB"
    assert member.time_zone == "Europe/London"
    assert member.languages == ["English", "French"]
    assert list(member.expertise.all()) == [topic]
    assert member.activities.filter(kind="profile_updated").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "is not a known time zone"),
        ("bio", "x" * 5001, "at most 5000 characters"),
        ("career_level", "11", "less than or equal to 10"),
        ("display_name", "   ", "This field is required"),
    ],
)
def test_profile_edit_with_bad_input_shows_the_field_message_and_changes_nothing(
    signed_in, member, field, value, message
):
    before = User.objects.values().get(pk=member.pk)

    response = signed_in.post(reverse("people:profile_edit"), profile_data(**{field: value}))

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_errors"' in html
    assert 'aria-invalid="true"' in html
    assert User.objects.values().get(pk=member.pk) == before
    assert not member.activities.exists()


def test_profile_edit_form_shows_my_current_values(signed_in, member):
    response = signed_in.get(reverse("people:profile_edit"))

    assert response.status_code == 200
    assert response.context["form"].initial["display_name"] == member.display_name


def test_a_member_cannot_edit_someone_elses_profile(signed_in):
    other = UserFactory(display_name="Someone Else")

    page = signed_in.get(reverse("people:profile_edit_for", args=[other.pk]))
    post = signed_in.post(
        reverse("people:profile_edit_for", args=[other.pk]), profile_data(display_name="Hacked")
    )

    assert page.status_code == 403
    assert post.status_code == 403
    other.refresh_from_db()
    assert other.display_name == "Someone Else"


def test_staff_may_edit_someone_elses_profile_and_it_is_audited(client, staff):
    other = UserFactory(display_name="Someone Else")
    client.force_login(staff)

    response = client.post(
        reverse("people:profile_edit_for", args=[other.pk]), profile_data(display_name="Fixed")
    )

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.display_name == "Fixed"
    from practica.core.models import AuditLogEntry

    assert AuditLogEntry.objects.filter(action="profile.updated", actor=staff).count() == 1


# --- API tokens --------------------------------------------------------------------------------


def test_creating_a_token_shows_the_secret_once_and_stores_only_its_hash(signed_in, member):
    response = signed_in.post(reverse("people:tokens"), {"name": "notebook", "lifetime": "30"})

    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret.startswith("pat_")
    assert f'<code id="new-token">{secret}</code>' in response.content.decode()
    assert "Copy your new token now" in response.content.decode()
    token = PersonalAccessToken.objects.get(user=member)
    assert token.name == "notebook"
    assert secret not in token.token_hash
    assert token.expires_at is not None
    assert secret not in signed_in.get(reverse("people:tokens")).content.decode()


def test_creating_a_token_without_a_name_is_refused(signed_in, member):
    response = signed_in.post(reverse("people:tokens"), {"name": "", "lifetime": "30"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not PersonalAccessToken.objects.filter(user=member).exists()


def test_the_token_list_shows_my_tokens_with_their_status(signed_in, member):
    create_access_token(user=member, name="live one")
    revoked, _secret = create_access_token(user=member, name="old one")
    signed_in.post(reverse("people:token_revoke", args=[revoked.pk]))
    create_access_token(user=UserFactory(), name="not mine")

    html = signed_in.get(reverse("people:tokens")).content.decode()

    assert "live one" in html
    assert "old one" in html
    assert "Revoked" in html
    assert "not mine" not in html


def test_revoking_my_token(signed_in, member):
    token, _secret = create_access_token(user=member, name="script")

    response = signed_in.post(reverse("people:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoking_someone_elses_token_is_refused(signed_in):
    token, _secret = create_access_token(user=UserFactory(), name="theirs")

    response = signed_in.post(reverse("people:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(signed_in, member):
    token, _secret = create_access_token(user=member, name="script")

    assert signed_in.get(reverse("people:token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


# --- Language ----------------------------------------------------------------------------------


def test_language_switch_is_remembered_on_the_member(signed_in, member):
    response = signed_in.post(
        reverse("people:set_language"), {"language": "zh-hans", "next": "/people/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/people/"
    member.refresh_from_db()
    assert member.preferred_language == "zh-hans"
    # The next page is served in that language, even without the cookie.
    signed_in.cookies.clear()
    signed_in.force_login(member)
    page = signed_in.get(reverse("people:directory"))
    assert page.context["LANGUAGE_CODE"] == "zh-hans"
    assert '<html lang="zh-hans">' in page.content.decode()


def test_an_unknown_language_is_refused_and_nothing_changes(signed_in, member):
    response = signed_in.post(reverse("people:set_language"), {"language": "xx", "next": "/"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.preferred_language == ""


def test_the_language_switcher_posts_to_djangos_view_when_signed_out(client):
    html = client.get(reverse("people:login")).content.decode()

    assert f'action="{reverse("set_language")}"' in html
    assert 'value="zh-hans"' in html


# --- Layout ------------------------------------------------------------------------------------


def test_base_layout_has_landmarks_skip_link_and_htmx_csrf_header(signed_in, member):
    html = signed_in.get(reverse("home")).content.decode()

    assert 'class="skip-link" href="#main"' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert "django_htmx/htmx-2.min.js" in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert reverse("people:logout") in html
    assert "Admin" not in re.sub(r"<[^>]+>", " ", html.split("</nav>")[0])


def test_staff_see_the_admin_link(client, staff):
    client.force_login(staff)

    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("admin:index")}"' in html
