from django import forms
from django.conf import settings

from grader.submissions.uploads import too_large_message

ALLOWED_SUFFIXES = (".py", ".ipynb")


class UploadForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True,  # stored and explained on the feedback page, not refused here
        label="Your notebook (.ipynb) or Python file (.py)",
        widget=forms.ClearableFileInput(attrs={"accept": ".ipynb,.py"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.GRADER_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(too_large_message(upload.size))
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("Upload a Jupyter notebook (.ipynb) or a Python file (.py).")
        return upload
