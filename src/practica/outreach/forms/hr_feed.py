"""Forms of the HR feed screens: the upload, and the column mapping of an uploaded file.
They validate input; `practica.outreach.services.hr_imports` does the work."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.outreach.hr_feed.mapping import FIELDS, REQUIRED_FIELDS, ColumnMapping

MAX_UPLOAD_BYTES = 10_000_000
NOT_IN_FILE = ""

FULL_SNAPSHOT_HELP = _(
    "Tick only for a complete export: everyone with an employee number who is not in it will "
    "be deactivated as a leaver."
)
EFFECTIVE_ON_HELP = _(
    "Transfers and leavers without a leaving date take effect on this day; a leaving date "
    "after it leaves the person active."
)


class HrUploadForm(forms.Form):
    file = forms.FileField(
        label=_("HR export (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    effective_on = forms.DateField(
        label=_("Effective on"),
        help_text=EFFECTIVE_ON_HELP,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    full_snapshot = forms.BooleanField(
        label=_("This file lists everyone; people missing from it have left"),
        help_text=FULL_SNAPSHOT_HELP,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate()
        self.fields["file"].help_text = _(
            "UTF-8 text with a header row; commas or semicolons. At most %(n)s MB."
        ) % {"n": MAX_UPLOAD_BYTES // 1_000_000}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is too large (%(size)s MB); at most %(n)s MB. Split it into "
                    "several files, or use the command line: practica import-hr FILE."
                )
                % {
                    "size": f"{upload.size / 1_000_000:.1f}",
                    "n": MAX_UPLOAD_BYTES // 1_000_000,
                }
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class HrMappingForm(forms.Form):
    """One choice of column per field (from the file's header), plus the import's options."""

    effective_on = forms.DateField(
        label=_("Effective on"),
        help_text=EFFECTIVE_ON_HELP,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_order = forms.ChoiceField(
        label=_("Dates like 03/04/2026 are"),
        choices=[
            ("dmy", _("day first (3 April 2026)")),
            ("mdy", _("month first (March 4, 2026)")),
        ],
    )
    full_snapshot = forms.BooleanField(
        label=_("This file lists everyone; people missing from it have left"),
        help_text=FULL_SNAPSHOT_HELP,
        required=False,
    )

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(NOT_IN_FILE, _("— not in the file —"))] + [
            (header, header) for header in headers if header
        ]
        for name, label in FIELDS.items():
            self.fields[f"column_{name}"] = forms.ChoiceField(
                label=label, choices=choices, required=name in REQUIRED_FIELDS
            )

    @classmethod
    def for_import(
        cls, *, headers: list[str], mapping: ColumnMapping, effective_on: Any
    ) -> "HrMappingForm":
        initial: dict[str, Any] = {f"column_{name}": mapping.column_of(name) for name in FIELDS}
        initial.update(
            effective_on=effective_on,
            date_order=mapping.date_order,
            full_snapshot=mapping.full_snapshot,
        )
        return cls(headers=headers, initial=initial)

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{name}"] for name in FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in REQUIRED_FIELDS:
            if f"column_{name}" in self.errors:
                self.errors[f"column_{name}"] = self.error_class(
                    [_("Choose the column for “%(field)s”.") % {"field": FIELDS[name]}]
                )
        return data

    def mapping_json(self) -> dict[str, Any]:
        data = self.cleaned_data
        return ColumnMapping(
            columns={name: data[f"column_{name}"] for name in FIELDS if data.get(f"column_{name}")},
            full_snapshot=bool(data.get("full_snapshot")),
            date_order=data.get("date_order") or "dmy",
        ).to_json()
