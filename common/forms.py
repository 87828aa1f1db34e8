from django import forms
from django.utils.html import format_html, format_html_join

from common.text import fold


class DuplicateWarningForm(forms.ModelForm):
    """On creating a record, warns when its name matches an existing name or alias (case- and accent-insensitive).

    The curator confirms with a checkbox that it is a different record; nothing is saved until then.
    """

    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="This is not a duplicate",
        help_text="Tick after checking the records listed above, if this really is a different one.",
    )

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if self.instance.pk or not name or cleaned.get("confirm_not_duplicate"):
            return cleaned
        matches = self._meta.model.objects.exclude(pk=self.instance.pk).matching_folded_name(fold(name))
        if matches:
            listing = format_html_join(", ", "“{}” ({})", ((match.name, match.slug) for match in matches))
            raise forms.ValidationError(
                format_html("Possible duplicate of {}. Check them, then tick “This is not a duplicate”.", listing),
                code="possible_duplicate",
            )
        return cleaned
