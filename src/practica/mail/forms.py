"""Forms of the list screens: they validate input; `mail.services.subscriptions` writes."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.mail.models import DeliveryMode
from practica.mail.services.subscriptions import max_attachment_limit

MIB = 1024 * 1024
MAX_SEARCH_LENGTH = 100
MAX_DISCARD_REASON = 500


class DeliveryForm(forms.Form):
    """A member's delivery from one community's list (the community by its slug)."""

    community = forms.SlugField(max_length=160, widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        label=_("Delivery"),
        choices=DeliveryMode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Choose every message, daily digest, weekly digest or no mail.")
        },
    )


class SubscriberDeliveryForm(forms.Form):
    """A manager changes one subscriber's delivery."""

    mode = forms.ChoiceField(label=_("Delivery"), choices=DeliveryMode.choices)


class SubscriberFilterForm(forms.Form):
    """Search the list's subscribers by name or email, and by delivery (GET)."""

    q = forms.CharField(
        label=_("Name or email"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.SearchInput(attrs={"placeholder": _("Search subscribers")}),
    )
    mode = forms.ChoiceField(
        label=_("Delivery"),
        required=False,
        choices=[("", _("Any delivery")), *DeliveryMode.choices],
    )


class ListSettingsForm(forms.Form):
    """The list's settings; the attachment limit is entered in MB, stored in bytes."""

    default_mode = forms.ChoiceField(
        label=_("Delivery for members who haven't chosen"),
        choices=DeliveryMode.choices,
        help_text=_("New members get this until they choose on their Email delivery page."),
    )
    accepts_mail = forms.BooleanField(
        label=_("Members may start threads and reply by email"),
        required=False,
        help_text=_("When off, mail to the list address is refused with a reply saying so."),
    )
    max_attachment_mb = forms.DecimalField(
        label=_("Largest attachment kept (MB)"),
        min_value=Decimal(0),
        decimal_places=1,
        max_digits=6,
        help_text=_("Larger attachments are left out of the post, with a note. 0 keeps none."),
    )

    def clean_max_attachment_mb(self) -> Decimal:
        size: Decimal = self.cleaned_data["max_attachment_mb"]
        limit = Decimal(max_attachment_limit()) / MIB
        if size > limit:
            raise forms.ValidationError(
                _("At most %(limit)s MB: no message larger than that is accepted.")
                % {"limit": f"{limit:.1f}"}
            )
        return size

    @staticmethod
    def initial_from(max_attachment_bytes: int) -> Decimal:
        return (Decimal(max_attachment_bytes) / MIB).quantize(Decimal("0.1"))

    def changes(self) -> dict[str, object]:
        """The cleaned values as `update_list_settings` takes them."""
        data = self.cleaned_data
        return {
            "default_mode": data["default_mode"],
            "accepts_mail": data["accepts_mail"],
            "max_attachment_bytes": min(
                int(data["max_attachment_mb"] * MIB), max_attachment_limit()
            ),
        }


class DiscardForm(forms.Form):
    """A moderator's optional reason for discarding held mail (kept with the message)."""

    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=MAX_DISCARD_REASON
    )
