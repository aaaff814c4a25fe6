"""The course staff's page of API keys: make one (shown once), see when each was last used, revoke."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from grader.api import keys
from grader.api.models import ApiKey, Scope, WebhookEndpoint
from grader.staff.access import staff_view


class KeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="what the key is for, e.g. the LMS it is given to")
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
                                       initial=[Scope.READ], error_messages={"required": "Choose at least one scope."})

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Name the key.")
        return name


@staff_view
@require_http_methods(["GET", "POST"])
def api_keys(request, course):
    form, created_key = KeyForm(request.POST or None), None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            row, created_key = keys.create_key(course, form.cleaned_data["name"], form.cleaned_data["scopes"],
                                               created_by=request.user)
            form = KeyForm()
        else:
            status = 400
    return render(request, "api/staff_keys.html", {
        "course": course, "form": form, "created_key": created_key,
        "keys": ApiKey.objects.filter(course=course).select_related("created_by"),
        "webhooks": WebhookEndpoint.objects.filter(course=course),
    }, status=status)


@staff_view
@require_POST
def revoke(request, course, pk):
    row = get_object_or_404(ApiKey, course=course, pk=pk)
    keys.revoke(row)
    messages.success(request, f"Key {row.prefix}… ({row.name}) is revoked: requests with it now get 401.")
    return redirect("staff:api_keys", course.slug)
