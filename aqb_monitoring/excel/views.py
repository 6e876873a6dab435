"""Public and admin views of the Excel template, export and import."""

from django.http import Http404


def participant_template(request):
    """The participant template, generated from the current catalogues (built by the Excel work)."""
    raise Http404("Die Vorlage wird noch gebaut.")
