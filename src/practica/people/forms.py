"""Forms of the people screens: sign-in, password reset, directory filters, profile, API tokens."""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from practica.core.models import Topic
from practica.core.outgoing_mail import send_templated_mail
from practica.core.queries import topic_tree
from practica.people.models import MAX_BIO_LENGTH, TIME_ZONES, OrgUnit, Role, User
from practica.people.services import MAX_LANGUAGES

TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(TIME_ZONES)]


def _sign_in_email_field() -> forms.EmailField:
    """The address a person signs in with: the first field of the sign-in and reset pages."""
    return forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with an email address typed in any case."""

    username = _sign_in_email_field()

    error_messages = {
        "invalid_login": _(
            "That email address and password do not match an account. "
            "Both are checked exactly; the password is case-sensitive."
        ),
        "inactive": _("This account is inactive."),
    }

    def clean_username(self) -> str:
        # Addresses are stored in lower case; people type them any way.
        return self.cleaned_data["username"].strip().lower()


class EmailPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending its mail through the outbox in the member's language."""

    email = _sign_in_email_field()

    def send_mail(  # noqa: PLR0917 — Django's signature
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        send_templated_mail(
            to=to_email,
            template_prefix="people/mail/password_reset",
            context=context,
            # One mail per issued link: resubmitting the same form twice in a second sends once.
            idempotency_key=f"password-reset:{context['uid']}:{context['token']}",
            language=user.preferred_language or translation.get_language(),
        )


class _TreeLabels:
    """Choices from a tree (topics, org units) shown indented by their depth."""

    def label_from_instance(self, obj: Topic | OrgUnit) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


class TopicChoiceField(_TreeLabels, forms.ModelChoiceField):
    """Topics shown as an indented tree."""


class TopicMultipleChoiceField(_TreeLabels, forms.ModelMultipleChoiceField):
    pass


class OrgUnitChoiceField(_TreeLabels, forms.ModelChoiceField):
    pass


class DirectoryFilterForm(forms.Form):
    """The directory's filters, read from the query string; every one is optional."""

    q = forms.CharField(
        label=_("Name, title or email"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "search-input",
                "placeholder": _("Search people…"),
                "autocomplete": "off",
            }
        ),
    )
    topic = TopicChoiceField(
        label=_("Expertise"),
        queryset=topic_tree(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any topic"),
        error_messages={"invalid_choice": _("There is no such topic.")},
    )
    org_unit = OrgUnitChoiceField(
        label=_("Org unit"),
        queryset=OrgUnit.objects.order_by("path"),
        to_field_name="slug",
        required=False,
        empty_label=_("Anywhere in the company"),
        error_messages={"invalid_choice": _("There is no such org unit.")},
    )
    location = forms.CharField(
        label=_("Location"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("City or country code")}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Any role")), *Role.choices],
        error_messages={"invalid_choice": _("There is no such role.")},
    )

    def filters(self) -> dict[str, Any]:
        """The valid filters as keyword arguments for queries.search_directory; invalid ones
        are dropped (and reported by the form) rather than failing the whole search."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {
            "text": data.get("q") or "",
            "topic": data.get("topic"),
            "org_unit": data.get("org_unit"),
            "location": data.get("location") or "",
            "role": data.get("role") or "",
        }


class ProfileForm(forms.Form):
    """The fields a member keeps up to date about themself; the org chart is HR's."""

    display_name = forms.CharField(label=_("Display name"), max_length=120)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    career_level = forms.IntegerField(
        label=_("Career level"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("The company's career level, 1 (entry) to 10 (most senior)."),
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=120,
        required=False,
        help_text=_("The office or city you work from."),
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("Two-letter code, e.g. DE or CN."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=TIME_ZONE_CHOICES,
        error_messages={"invalid_choice": _("“%(value)s” is not a known time zone.")},
    )
    languages = forms.CharField(
        label=_("Languages you speak"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas, e.g. English, 中文, Deutsch."),
    )
    bio = forms.CharField(
        label=_("About you"),
        required=False,
        max_length=MAX_BIO_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you work on and what people can ask you about."),
    )
    expertise = TopicMultipleChoiceField(
        label=_("Expertise"),
        queryset=topic_tree(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Topics you can help others with; people find you by them."),
    )

    @classmethod
    def initial_for(cls, person: User) -> dict[str, Any]:
        return {
            "display_name": person.display_name,
            "job_title": person.job_title,
            "role": person.role,
            "career_level": person.career_level,
            "location": person.location,
            "country": person.country,
            "time_zone": person.time_zone,
            "languages": ", ".join(person.languages or []),
            "bio": person.bio,
            "expertise": list(person.expertise.all()),
        }

    def clean_languages(self) -> list[str]:
        languages = [part.strip() for part in self.cleaned_data["languages"].split(",")]
        languages = [language for language in languages if language]
        if len(languages) > MAX_LANGUAGES:
            raise forms.ValidationError(
                _("List at most %(n)d languages."), params={"n": MAX_LANGUAGES}
            )
        return languages


TOKEN_LIFETIMES = {
    "30": timedelta(days=30),
    "90": timedelta(days=90),
    "365": timedelta(days=365),
    "never": None,
}


class AccessTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("What will use it, e.g. “reading-group bot”."),
    )
    lifetime = forms.ChoiceField(
        label=_("Expires"),
        choices=[
            ("30", _("In 30 days")),
            ("90", _("In 90 days")),
            ("365", _("In one year")),
            ("never", _("Never")),
        ],
        initial="90",
    )

    def expires_at(self) -> Any:
        lifetime = TOKEN_LIFETIMES[self.cleaned_data["lifetime"]]
        return None if lifetime is None else timezone.now() + lifetime


class PlaceholderClaimForm(forms.Form):
    """The address someone posted to the old mailing list from, to claim those posts."""

    email = forms.EmailField(
        label=_("Your address on the old list"),
        max_length=254,
        help_text=_(
            "Posts imported from the list archive under that address move to your profile "
            "once you follow the link we mail there."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
