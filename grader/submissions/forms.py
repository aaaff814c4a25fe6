import filetype
from django import forms
from django.conf import settings

from grader.submissions.uploads import too_large_message

ALLOWED_SUFFIXES = (".py", ".ipynb")
SNIFF_BYTES = 8192  # filetype reads the magic numbers near the start


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
        sniffed = sniff(upload)
        if sniffed is not None:
            raise forms.ValidationError(
                f"This file is not a notebook or a Python file: its content is {sniffed}, whatever its name says. "
                "Upload the .ipynb you worked in (File > Download in Jupyter), or a .py file.")
        return upload


def sniff(upload) -> str | None:
    """The kind of a file whose first bytes mark a known binary format (an archive, a document, an image, a
    program), as "PDF data (application/pdf)"; None for anything else, text included (a broken
    notebook or a binary .py is graded and explained on the feedback page instead)."""
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None:
        return None
    return f"{kind.extension.upper()} data ({kind.mime})"
