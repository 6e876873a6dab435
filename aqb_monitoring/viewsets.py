"""Wagtail snippet viewsets of the RP: catalogues ("Kataloge"), measures' master data, organisations.

Every URL of these viewsets (index, results, add, edit, delete, history, usage, inspect,
chooser, ...) answers 404 to anyone but the RP: Wagtail's generic views check the
model, not the object, so we close them as a whole for ZE and provider users rather than
scoping each one. Participants have no generic views at all; they live in views.py.
"""

from django import forms
from django.contrib import messages
from django.db.models import ProtectedError
from django.db.models.deletion import Collector
from django.http import Http404
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.formats import date_format
from django.utils.functional import classproperty
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import log
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import CreateView, DeleteView, EditView, SnippetViewSet, SnippetViewSetGroup

from . import measures, permissions
from .formatting import yes_no
from .measure_import import format_interim_dates, parse_interim_dates
from .menu import AuthorityMenuItem
from .models import CATALOGUE_MODELS, Measure, Organisation
from .services.common import ServiceError
from .services.measures import check_delete_measure, do_save_measure, version_of


def authority_required(view):
    """Wrap a view so that only the RP reaches it; everyone else gets a 404, never a hint."""

    def wrapped(request, *args, **kwargs):
        if not permissions.is_authority(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = getattr(view, "__name__", "authority_view")
    wrapped.__module__ = __name__
    wrapped.authority_only = True
    wrapped.wrapped_view = view
    return wrapped


def authority_only_patterns(patterns):
    return [
        URLPattern(pattern.pattern, authority_required(pattern.callback), pattern.default_args, pattern.name)
        for pattern in patterns
    ]


class AuthorityOnlyChooserViewSet(SnippetChooserViewSet):
    def get_urlpatterns(self):
        return authority_only_patterns(super().get_urlpatterns())


def entry_in_use(instance):
    """Whether deleting would hit a PROTECT foreign key (a used catalogue entry), checked without deleting."""
    try:
        Collector(using=instance._state.db or "default").collect([instance])
    except ProtectedError:
        return True
    return False


class ProtectedAwareDeleteView(DeleteView):
    """Deleting an entry that is still used is refused with advice to deactivate it instead."""

    def form_valid(self, form):
        if entry_in_use(self.object):
            return self.refuse()
        try:
            return super().form_valid(form)
        except ProtectedError:
            return self.refuse()

    def refuse(self):
        messages.error(
            self.request,
            _(
                "„%(object)s“ wird noch verwendet und kann nicht gelöscht werden. "
                "Deaktivieren Sie den Eintrag stattdessen (Häkchen „Aktiv“ entfernen)."
            )
            % {"object": self.object},
        )
        return redirect(self.edit_url_name, self.object.pk)


class AuthorityOnlyViewSet(SnippetViewSet):
    chooser_viewset_class = AuthorityOnlyChooserViewSet
    delete_view_class = ProtectedAwareDeleteView
    copy_view_enabled = False
    # ORM lookups instead of the search index (Wagtail's database backend stumbles on SQLite).
    search_backend_name = None

    def get_urlpatterns(self):
        return authority_only_patterns(super().get_urlpatterns())


def active_column():
    return Column("is_active", label=gettext_lazy("Aktiv"), accessor=lambda row: yes_no(row.is_active), sort_key="is_active")


def closed_on_column():
    """The closing day as TT.MM.JJJJ (Wagtail's default shows "20. Jan 10:00")."""
    return Column(
        "closed_at",
        label=gettext_lazy("Abgeschlossen am"),
        accessor=lambda row: date_format(localtime(row.closed_at), "d.m.Y") if row.closed_at else "",
        sort_key="closed_at",
    )


def catalogue_viewset(model):
    """One viewset per catalogue model: label, code, order, active flag; searchable by label and code."""
    list_display = ["label", "code", "sort_order", active_column()]
    list_filter = ["is_active"]
    if model.__name__ == "Question":
        list_display.insert(1, "block")
        list_filter.append("block")
    attrs = {
        "model": model,
        "icon": "list-ul",
        "list_display": list_display,
        "list_filter": list_filter,
        "search_fields": ["label", "code"],
        "ordering": list(model._meta.ordering),
        "url_prefix": f"kataloge/{model._meta.model_name}",
        "url_namespace": f"aqb_catalogue_{model._meta.model_name}",
    }
    return type(f"{model.__name__}ViewSet", (AuthorityOnlyViewSet,), attrs)


class CatalogueGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("Kataloge")
    menu_icon = "list-ul"
    menu_order = 900
    items = [catalogue_viewset(model) for model in CATALOGUE_MODELS]


class MeasureMasterForm(WagtailAdminModelForm):
    """The RP's measure form, plus the interim-report dates as one text field (no inline for them).

    It only parses; the views save through `services.measures.do_save_measure`, the write path the
    measure import uses too. The hidden `version` is the measure's `updated_at` when the form was read:
    a save against a measure changed since is refused (lost-update guard).
    """

    interim_due_dates_text = forms.CharField(
        label=gettext_lazy("Termine der Zwischenmeldung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Daten im Format TT.MM.JJJJ, getrennt durch Komma, Semikolon oder Zeilenumbruch."),
    )

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["interim_due_dates_text"] = format_interim_dates(
                self.instance.interim_due_dates.values_list("due_date", flat=True))
            self.initial["version"] = version_of(self.instance)

    def validate_unique(self):
        """Number and successor are unique; the service says so in the words of every entry point
        (`check_save_measure`), so the model form's generic message is not given as well."""
        exclude = self._get_validation_exclusions()
        exclude.update({"number", "successor"})
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)

    def clean_interim_due_dates_text(self):
        dates, errors = parse_interim_dates(self.cleaned_data.get("interim_due_dates_text", ""))
        if errors:
            raise forms.ValidationError(errors)
        return dates

    def service_values(self):
        """The master-data values for `do_save_measure`, by model field name."""
        values = {name: self.cleaned_data[name] for name in measures.FIELDS if name in self.cleaned_data}
        values["interim_due_dates"] = self.cleaned_data.get("interim_due_dates_text") or []
        return values

    def add_service_errors(self, errors):
        for name, field_messages in errors.items():
            name = "interim_due_dates_text" if name == "interim_due_dates" else name
            self.add_error(name if name in self.fields else None, field_messages)


class MeasureSaveMixin:
    """Create and edit save through `do_save_measure`; its refusals appear on the form's fields, input kept."""

    def form_valid(self, form):
        self.form = form
        stored = None if self.view_name == "create" else self.object
        try:
            measure = do_save_measure(self.request.user, stored, form.service_values(),
                                      version=form.cleaned_data.get("version") or None)
        except ServiceError as error:
            form.add_service_errors(error.errors)
            if stored is not None:
                # The clerk has now seen the newer state named in the message; saving again is deliberate.
                form.data = form.data.copy()
                form.data[form.add_prefix("version")] = version_of(Measure.objects.get(pk=stored.pk))
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        self.object = measure
        log(instance=measure, action="wagtail.create" if stored is None else "wagtail.edit", user=self.request.user)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


class MeasureCreateView(MeasureSaveMixin, CreateView):
    pass


class MeasureEditView(MeasureSaveMixin, EditView):
    pass


class MeasureDeleteView(DeleteView):
    """A measure with recorded participants is not deleted (measures.check_delete_measure)."""

    def form_valid(self, form):
        reasons = check_delete_measure(self.request.user, self.object)
        if reasons:
            for reason in reasons:
                messages.error(self.request, reason)
            return redirect(self.edit_url_name, self.object.pk)
        return super().form_valid(form)


class MeasureViewSet(AuthorityOnlyViewSet):
    """Measures' master data, maintained by the RP (ZE and providers see measures in views.py)."""

    model = Measure
    add_view_class = MeasureCreateView
    edit_view_class = MeasureEditView
    delete_view_class = MeasureDeleteView
    icon = "clipboard-list"
    menu_label = gettext_lazy("Maßnahmen (Stammdaten)")
    url_prefix = "stammdaten/massnahmen"
    url_namespace = "aqb_measure_master"
    list_display = ["number", "title", "grant_recipient", "provider", "measure_type", "budget_year", closed_on_column()]
    list_filter = ["measure_type", "budget_year", "programme_line", "grant_recipient"]
    search_fields = ["number", "title"]
    ordering = ["-budget_year", "number"]
    edit_handler = ObjectList([
        FieldPanel("number"),
        FieldPanel("title"),
        FieldPanel("measure_type"),
        FieldPanel("programme_line"),
        FieldPanel("main_goal"),
        FieldPanel("grant_recipient"),
        FieldPanel("provider"),
        FieldPanel("budget_year"),
        FieldPanel("start_date"),
        FieldPanel("end_date"),
        FieldPanel("planned_participants"),
        FieldPanel("interim_due_dates_text"),
        FieldPanel("successor"),
    ], base_form_class=MeasureMasterForm)

    def get_queryset(self, request):
        return Measure.objects.select_related("grant_recipient", "provider", "measure_type")


class OrganisationViewSet(AuthorityOnlyViewSet):
    model = Organisation
    icon = "group"
    menu_label = gettext_lazy("Organisationen")
    url_prefix = "stammdaten/organisationen"
    url_namespace = "aqb_organisation"
    list_display = ["name", "kind", "abbreviation", "grant_recipient", "contact_email"]
    list_filter = ["kind"]
    search_fields = ["name", "abbreviation"]
    ordering = ["kind", "name"]


class MeasureImportViewSet(ViewSet):
    """"Maßnahmen importieren": upload, progress, preview and take of the RP database file, an import job
    (measure_import_views.py)."""

    name = "aqb_measure_import"
    url_prefix = "stammdaten/massnahmen-import"
    icon = "upload"
    menu_label = gettext_lazy("Maßnahmen importieren")
    menu_item_class = AuthorityMenuItem

    def get_urlpatterns(self):
        from . import measure_import_views as views

        return authority_only_patterns([
            path("", views.upload, name="upload"),
            path("<int:job_pk>/", views.job_detail, name="job"),
            path("<int:job_pk>/uebernehmen/", views.take, name="take"),
            path("<int:job_pk>/verwerfen/", views.discard_job, name="discard"),
            path("<int:job_pk>/erneut-starten/", views.restart_job, name="restart"),
        ])


class MasterDataGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("Stammdaten (RP)")
    menu_icon = "folder-open-inverse"
    menu_order = 800
    items = [MeasureViewSet, OrganisationViewSet, MeasureImportViewSet]


class AuthorityOnlyDeleteBulkAction(DeleteBulkAction):
    """Wagtail's snippet bulk delete (`/admin/bulk/aqb_monitoring/<model>/delete/?id=...`), RP only.

    It takes ids from the query string and would list foreign objects' names on its
    confirmation page; for anyone but the RP it is a 404. Entries still in use are not
    offered for deletion (they are listed as not deletable; deactivate them instead).
    Registered with a late hook order so that it replaces the snippets' own action.
    """

    @classproperty
    def models(cls):
        return [*CATALOGUE_MODELS, Measure, Organisation]

    def __init__(self, request, model):
        if not permissions.is_authority(request.user):
            raise Http404
        super().__init__(request, model)

    def check_perm(self, obj):
        if isinstance(obj, Measure) and check_delete_measure(self.request.user, obj):
            return False
        return permissions.is_authority(self.request.user) and not entry_in_use(obj)
