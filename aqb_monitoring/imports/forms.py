"""The upload form of both importers: the file's ending and size are checked before anything is stored."""

from django import forms


class UploadForm(forms.Form):
    """One file field; a subclass names what it takes (`extensions`, `max_bytes`) and says so in German."""

    file = forms.FileField()
    label = ""
    extensions = (".xlsx",)
    max_bytes = 0
    wrong_type_message = ""
    too_large_message = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = self.label

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(tuple(self.extensions)):
            raise forms.ValidationError(self.wrong_type_message)
        if upload.size > self.max_bytes:
            raise forms.ValidationError(self.too_large_message)
        return upload
