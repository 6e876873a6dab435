"""The participant form of the admin (docs/domain-rules.md §3).

Interface for the views
-----------------------
::

    form = ParticipantForm(data=request.POST or None, instance=participant_or_None,
                           measure=measure, for_user=request.user)
    if form.is_valid():
        participant = form.save()          # services.save_participant; may raise services.ServiceError
                                           # (services.StaleRecord: changed since the hidden `version`)
    form.status_summary()                  # {"status", "missing_entry", "missing_exit"} for the status box
    form.warnings                          # {field: [German message]}: not blocking (validation.participant_warnings);
                                           # each bound field carries its own as `field.aqb_warnings`
    form.panel_groups()                    # Eintritt / Detailangaben bei Eintritt (one fieldset per
                                           # block) / Austritt / Detailangaben bei Austritt
    {% include "aqb_monitoring/widgets/participant_fields.html" with form=form %}
                                           # renders those groups with the data attributes the JS needs
    form.media                             # participant_form.js/.css (show/hide blocks and exit reason)

Field names are the Participant field names plus ``entry__<question code>`` and
``exit__<question code>`` for the yes/no answers. Only the fields the measure type asks are
present (TN-Ziel for M1, "Prüfung bestanden?" for M2). Every choice offers "Auswählen"
(empty) so an answer can be withdrawn. The required marks (*) show what the status needs;
missing values do not block saving (docs/domain-rules.md §7), invalid values do (validation.py).

The browser hides the blocks whose TN-Ziel is not chosen and the Austrittsgrund fields
unless the Verbleib (and the reason) ask for them; the mapping comes from the catalogue as
data attributes on the widgets (``data-aqb-block``, ``data-aqb-always``, ``data-aqb-goals``,
options with ``data-requires-exit-reason`` / ``data-requires-free-text``). The server
applies the same rules whatever the browser did.
"""

from django import forms
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from . import services
from .models import Answer, Participant
from .status import missing_summary
from .validation import (
    CATALOGUE_FIELDS,
    ENTRY_FIELDS,
    EXIT_FIELDS,
    NON_FIELD,
    RuleContext,
    answer_field_name,
    entry_fields_for,
    participant_warnings,
    values_from_participant,
)

EMPTY_LABEL = _("Auswählen")
DATE_INPUT = forms.DateInput(format="%d.%m.%Y", attrs={"autocomplete": "off", "inputmode": "numeric"})
YES_NO_CHOICES = [("", EMPTY_LABEL), ("True", _("ja")), ("False", _("nein"))]

# Hinweise zu den Erfassungsfeldern (docs/domain-rules.md §3). The participant ID and the other exit reason
# take their help text from the model field (models.Participant: "no names"), one place for the admin and the form.
HELP_TEXTS = {
    "entry_date": _(
        "TT.MM.JJJJ. Darf nicht vor Beginn und nicht nach Ende dieser Maßnahme liegen, auch nicht bei "
        "Übernahme aus dem vorangegangenen Budget (dort: Beginn der Maßnahme)."
    ),
    "gender": _("Geschlecht der/des Teilnehmenden."),
    "birth_year": _("Vierstellig, z. B. 2005. Bei Eintritt mindestens 10 und höchstens 70 Jahre (Eintrittsjahr minus Geburtsjahr)."),
    "migration_background": _(
        "Ja, wenn die/der Teilnehmende keine deutsche Staatsangehörigkeit besitzt oder der Geburtsort außerhalb "
        "der BRD liegt oder der Geburtsort mindestens eines Elternteils außerhalb der BRD liegt."
    ),
    "severely_disabled": _(
        "Ja, wenn der Grad der Behinderung mindestens 50 beträgt oder die/der Teilnehmende einem "
        "Schwerbehinderten gleichgestellt ist."
    ),
    "children_in_household": _("Leben Kinder der/des Teilnehmenden im gleichen Haushalt?"),
    "single_parent": _("Ist die/der Teilnehmende alleinerziehend?"),
    "school_attendance": _("Besucht die/der Teilnehmende bei Eintritt in die Maßnahme eine der genannten Schulen?"),
    "education_level": _("Bildungsstand bei Eintritt in die Maßnahme; bei Geflüchteten kann die Einordnung nach Selbstauskunft erfolgen."),
    "employment_status": _("Geht die/der Teilnehmende bei Eintritt in die Maßnahme einer Erwerbstätigkeit/Ausbildung nach?"),
    "unemployment_registration": _("Wo und nach welchen Rechtsvorschriften ist die/der Teilnehmende arbeitslos gemeldet?"),
    "benefit": _("Bezieht die/der Teilnehmende bei Eintritt in die Maßnahme Leistungen nach dem SGB oder AsylbLG?"),
    "goal": _(
        "Ziel für diese(n) Teilnehmende(n). Je nach TN-Ziel sind zusätzliche Detailangaben bei Eintritt und "
        "Austritt zu machen."
    ),
    "exit_date": _(
        "TT.MM.JJJJ. Datum des tatsächlichen Austritts, frühestens das Eintrittsdatum, spätestens das Ende der "
        "Maßnahme. Es kann allein gespeichert werden; die übrigen Austrittsangaben tragen Sie nach, sobald sie "
        "bekannt sind. Bis dahin bleibt der Datensatz gelb."
    ),
    "destination": _(
        "Maßgeblich ist der Status bis spätestens 4 Wochen nach Austritt. Bei „setzt die Maßnahme im folgenden "
        "Budget fort“ ist das Austrittsdatum das Ende der Maßnahme."
    ),
    "exit_reason": _("Nur bei „nicht erwerbstätig, …“: Warum tritt die/der Teilnehmende aus der Maßnahme aus?"),
    "completed_measure": _("Hat die/der Teilnehmende die Maßnahme vollständig durchlaufen?"),
    "main_goal_reached": _("Wurde das Hauptziel der Maßnahme erreicht?"),
    "exam_passed": _("Hat die/der Teilnehmende die Prüfung bestanden?"),
}

GROUPS = [
    ("entry", _("Eintritt")),
    ("entry_answers", _("Detailangaben bei Eintritt")),
    ("exit", _("Austritt")),
    ("exit_answers", _("Detailangaben bei Austritt")),
]

# The form's three pages "auf Reitern hintereinander" (2025 slides): tabs with JavaScript, sections without.
STEPS = [
    ("eintritt", _("Eintritt"), ("entry",)),
    ("fragen-eintritt", _("Fragen bei Eintritt"), ("entry_answers",)),
    ("austritt", _("Austritt"), ("exit", "exit_answers")),
]


def yes_no_field(label, help_text="", attrs=None):
    """ja/nein as a select with "Auswählen", so an answer can be withdrawn (docs/domain-rules.md §3.3)."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO_CHOICES,
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=attrs or {}),
    )


class CatalogueSelect(forms.Select):
    """A select whose options carry the catalogue flags the browser needs (`flags`: attribute names)."""

    def __init__(self, attrs=None, flags=()):
        super().__init__(attrs)
        self.flags = flags

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        for flag in self.flags:
            if instance is not None and getattr(instance, flag, False):
                option["attrs"][f"data-{flag.replace('_', '-')}"] = "true"
        return option


SELECT_FLAGS = {
    "destination": ("requires_exit_reason", "is_carry_over"),
    "exit_reason": ("requires_free_text",),
}
SELECT_ATTRS = {
    "goal": {"data-aqb-goal-select": "true"},
    "destination": {"data-aqb-destination-select": "true"},
    "exit_reason": {"data-aqb-exit-reason-select": "true"},
}


class ParticipantForm(WagtailAdminModelForm):
    class Meta:
        model = Participant
        fields = list(ENTRY_FIELDS + EXIT_FIELDS)
        # A plain text field: the admin's date picker covered "Speichern" while the clerk typed TT.MM.JJJJ.
        widgets = {"entry_date": DATE_INPUT, "exit_date": DATE_INPUT}

    class Media:
        js = ["aqb_monitoring/js/participant_form.js"]
        css = {"all": ["aqb_monitoring/css/participant_form.css"]}

    use_required_attribute = False

    def __init__(self, *args, measure, for_user=None, context=None, **kwargs):
        self.measure = measure
        self.context = context or RuleContext.for_measure(measure)
        instance = kwargs.get("instance")
        if instance is not None and instance.pk is not None:
            # One query for the record and its catalogue entries (status box, audit comparison).
            kwargs["instance"] = Participant.objects.select_related(*CATALOGUE_FIELDS).get(pk=instance.pk)
        super().__init__(*args, for_user=for_user, **kwargs)
        self.stored_answers = self._load_answers()
        self.result = None
        self._drop_fields_not_asked()
        self._set_up_fields()
        self._add_answer_fields()
        self._add_version_field()

    # -- construction -----------------------------------------------------

    def _load_answers(self):
        if self.instance.pk is None:
            return []
        return list(Answer.objects.filter(participant=self.instance).select_related("question"))

    @cached_property
    def previous_values(self):
        if self.instance.pk is None:
            return None
        return values_from_participant(self.instance, self.stored_answers)

    def _drop_fields_not_asked(self):
        """TN-Ziel only for M1, "Prüfung bestanden?" only for M2 (MeasureType flags)."""
        if not self.context.requires_participant_goal:
            self.fields.pop("goal", None)
        if not self.context.asks_exam_passed:
            self.fields.pop("exam_passed", None)

    def _set_up_fields(self):
        # The * marks what its step needs; Austrittsgrund and its free text are shown only when needed.
        marked = set(entry_fields_for(self.context)) | set(EXIT_FIELDS)
        for name, field in list(self.fields.items()):
            model_field = Participant._meta.get_field(name)
            help_text = HELP_TEXTS.get(name, model_field.help_text)
            if name in CATALOGUE_FIELDS:
                current = getattr(self.instance, f"{name}_id", None)
                field.queryset = CATALOGUE_FIELDS[name].objects.filter(Q(is_active=True) | Q(pk=current))
                field.empty_label = EMPTY_LABEL
                field.widget = CatalogueSelect(attrs=SELECT_ATTRS.get(name), flags=SELECT_FLAGS.get(name, ()))
                field.widget.choices = field.choices
            elif model_field.get_internal_type() == "BooleanField":
                field = self.fields[name] = yes_no_field(model_field.verbose_name)
                self.initial.setdefault(name, getattr(self.instance, name))
            if name == "exit_reason_other":
                field.widget.attrs["data-aqb-exit-reason-other"] = "true"
            if name == "birth_year":
                field.widget.attrs.update({"inputmode": "numeric", "maxlength": "4"})
            if name in ("entry_date", "exit_date"):
                field.widget.attrs["placeholder"] = "TT.MM.JJJJ"
            field.help_text = help_text
            field.required = name in marked  # shows the *, see full_clean

    def _add_answer_fields(self):
        """One ja/nein field per active question of every block that can apply, at entry and exit."""
        stored = {(answer.phase, answer.question.code): answer.value for answer in self.stored_answers}
        for phase in ("entry", "exit"):
            for block in self.context.blocks:
                attrs = {
                    "data-aqb-block": block.code,
                    "data-aqb-always": "true" if block.always else "false",
                    "data-aqb-goals": " ".join(str(goal_id) for goal_id in sorted(block.goal_ids)),
                }
                for question in block.active_questions:
                    name = answer_field_name(phase, question.code)
                    self.fields[name] = yes_no_field(question.label, question.help_text, attrs)
                    self.fields[name].required = True
                    self.initial[name] = stored.get((phase, question.code))

    def _add_version_field(self):
        """The version the record was read at: a save against a record changed since is refused (no lost update)."""
        self.fields["version"] = forms.CharField(
            widget=forms.HiddenInput, required=False,
            help_text=_("Stand, zu dem der Datensatz geöffnet wurde: eine Änderung von anderer Seite geht nicht verloren."),
        )
        self.initial["version"] = services.version_of(self.instance) if self.instance.pk else ""

    # -- validation --------------------------------------------------------

    def full_clean(self):
        """Missing values do not block saving (docs/domain-rules.md §7): the * marks are lifted while cleaning."""
        required = [name for name, field in self.fields.items() if field.required]
        for name in required:
            self.fields[name].required = False
        try:
            super().full_clean()
        finally:
            for name in required:
                self.fields[name].required = True

    def _post_clean(self):
        """The rules live in validation.py (run in clean()); the instance is written by the service."""

    def values_from_cleaned(self, cleaned):
        values = {name: cleaned.get(name) for name in ENTRY_FIELDS + EXIT_FIELDS}
        values["exit_reason_other"] = values["exit_reason_other"] or ""
        for phase in ("entry", "exit"):
            prefix = f"{phase}__"
            values[f"{phase}_answers"] = {
                name[len(prefix):]: value
                for name, value in cleaned.items()
                if name.startswith(prefix) and value is not None
            }
        return values

    def clean(self):
        cleaned = super().clean()
        self.values = self.values_from_cleaned(cleaned)
        self.result = services.validate_save_participant(
            self.for_user, self.measure, self.values, self.instance if self.instance.pk else None,
            context=self.context, previous=self.previous_values,
        )
        self.add_rule_errors(self.result.errors)
        return cleaned

    def add_rule_errors(self, errors):
        for key, messages in errors.items():
            target = key if key in self.fields else None
            for message in messages:
                if target is None and key != NON_FIELD:
                    message = f"{Participant._meta.get_field(key).verbose_name}: {message}" if key in ENTRY_FIELDS + EXIT_FIELDS else message
                self.add_error(target, message)

    # -- saving --------------------------------------------------------------

    def save(self, commit=True):
        """Through services.save_participant (permission, V10 under lock, answers, status, audit)."""
        participant = self.instance if self.instance.pk else None
        version = (self.cleaned_data.get("version") or None) if participant is not None else None
        try:
            self.instance, self.result = services.save_participant(
                self.for_user, self.measure, self.values, participant, context=self.context, version=version
            )
        except services.StaleRecord as error:
            # The clerk's input stays on the form; with the version it now has, a second click saves it.
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = error.version
            self.add_rule_errors(error.errors)
            raise
        except services.ServiceError as error:
            self.add_rule_errors(error.errors)
            raise
        return self.instance

    # -- what the template shows --------------------------------------------

    @property
    def warnings(self):
        """What the clerk should look at, never blocking (W1): of the submitted values once cleaned,
        else of the stored record (an ID that looks like a name keeps its warning when reopened)."""
        if self.result is not None:
            return self.result.warnings
        if self.previous_values is not None:
            return participant_warnings(self.previous_values)
        return {}

    def attach_warnings(self):
        """Give each bound field its warnings (`field.aqb_warnings`) for participant_fields.html."""
        warnings = self.warnings
        for name in self.fields:
            self[name].aqb_warnings = warnings.get(name, [])
        return warnings

    def status_summary(self):
        """Status and what is still missing: of the submitted values once cleaned, else of the record."""
        if self.result is not None and not self.errors:
            values = self.result.values
        elif self.previous_values is not None:
            values = self.previous_values
        else:
            values = {}
        return missing_summary(values, self.context)

    def steps(self):
        """STEPS with their groups; `has_errors` marks the tab that holds a refused entry."""
        groups = self.panel_groups()
        steps = []
        for key, label, group_keys in STEPS:
            step_groups = [group for group in groups if group["key"] in group_keys]
            if not step_groups:
                continue
            fields = [field for group in step_groups for field in group["fields"]]
            fields += [field for group in step_groups for block in group["blocks"] for field in block["fields"]]
            steps.append({"key": key, "label": label, "groups": step_groups,
                          "has_errors": any(field.errors for field in fields)})
        return steps

    def live_summary(self):
        """The status box for what has been typed (after is_valid()), refused entries counted as missing."""
        if self.result is not None:
            return missing_summary(self.result.values, self.context)
        return self.status_summary()

    def panel_groups(self):
        """The four groups (docs/domain-rules.md §3.1, §3.2, §5); answer groups hold one fieldset per block."""
        self.attach_warnings()
        groups = []
        for key, label in GROUPS:
            if key in ("entry", "exit"):
                names = ENTRY_FIELDS if key == "entry" else EXIT_FIELDS
                fields = [self[name] for name in names if name in self.fields]
                groups.append({"key": key, "label": label, "fields": fields, "blocks": []})
                continue
            phase = key.split("_")[0]
            blocks = []
            for block in self.context.blocks:
                fields = [self[answer_field_name(phase, q.code)] for q in block.active_questions]
                if fields:
                    blocks.append(
                        {
                            "code": block.code,
                            "label": block.label,
                            "always": block.always,
                            "goals": " ".join(str(goal_id) for goal_id in sorted(block.goal_ids)),
                            "fields": fields,
                        }
                    )
            if blocks:
                groups.append({"key": key, "label": label, "fields": [], "blocks": blocks})
        return groups


# ---------------------------------------------------------------------------
# The participant form for one row of an Excel import preview (issue 10 item 17)
# ---------------------------------------------------------------------------


class ImportRowForm(ParticipantForm):
    """The participant form's fields, steps and blocks, filled with the texts of one row of an import.

    ::

        form = ImportRowForm(data=request.POST or None, measure=job.measure, for_user=request.user,
                             layout=layout, row=preview_row)   # preview_row: the stored row (cells, errors, warnings)
        if form.is_valid():
            cells = form.cells()    # {column key: text} as the importer parses it (TT.MM.JJJJ, labels, ja/nein)
            ...                     # excel.jobs.correct_row(job, number, cells): the one rule path
        form.show_row(checked_row)  # the importer's messages at their fields, as the participant form shows them

    Nothing is validated here beyond the fields' own formats: the rules run in the importer on the
    cell texts, the same as for a row of the file. A file text that fits no entry of a list (or is not
    ja/nein, or not a year) is not selected; a note under the field says what was in the file. Columns
    the measure does not ask (TN-Ziel outside M1, "Prüfung bestanden?" outside M2, questions of blocks that
    never apply) appear as plain text fields only when the row has something in them, so it can be removed.
    """

    def __init__(self, data=None, *, measure, layout, row, for_user=None, context=None):
        self.layout = layout
        self.row = row
        self.file_texts = {column.key: text for column, text in zip(layout.columns, row.get("cells", ()), strict=False)}
        self.row_warnings = {}
        super().__init__(data=data, measure=measure, for_user=for_user, context=context)
        self.fields.pop("version", None)  # the preview row is the state; excel.jobs refuses a stale job
        self.file_notes = {}
        for name in list(self.fields):
            self._fill_from_file(name, self.file_texts.get(name, ""))
        self.extra_names = self._add_extra_columns()
        if self.is_bound:  # a posted form shows its own fields' errors first, then what the importer says
            self._keep_warnings(row)
        else:
            self.show_row(row)

    # -- the row's texts as the form's values ---------------------------------------

    def _fill_from_file(self, name, text):
        from .excel import importer
        from .imports.sheets import normalise

        field = self.fields[name]
        column = self.layout.by_key.get(name)
        if column is None or text == "":
            self.initial[name] = None
            return
        if name in CATALOGUE_FIELDS:
            code = column.lookup.get(normalise(text))
            entry = next((item for item in self.layout.entries[CATALOGUE_FIELDS[name]] if item.code == code), None)
            if entry is None:
                self._note(name, text, _("kein Eintrag der Auswahlliste. Bitte wählen Sie den passenden Eintrag."))
                self.initial[name] = None
                return
            # An entry that is no longer offered stays selectable for the row that names it (as for a stored record).
            field.queryset = CATALOGUE_FIELDS[name].objects.filter(Q(is_active=True) | Q(pk=entry.pk))
            field.widget.choices = field.choices
            self.initial[name] = entry.pk
        elif isinstance(field, forms.TypedChoiceField):  # ja/nein, also the questions
            value = importer.parse_bool(text)
            if not isinstance(value, bool):
                self._note(name, text, _("weder „ja“ noch „nein“. Bitte wählen Sie die zutreffende Antwort."))
                value = None
            self.initial[name] = value
        elif isinstance(field, forms.DateField):
            # A text that is no date stays in the field as it was typed; the field says what is wrong with it.
            self.initial[name] = importer.parse_date(text)
        elif isinstance(field, forms.IntegerField):
            value = importer.parse_year(text)
            if not isinstance(value, int):
                self._note(name, text, _("keine Jahreszahl. Bitte tragen Sie das Geburtsjahr vierstellig ein."))
                value = None
            self.initial[name] = value
        else:
            self.initial[name] = text

    def _note(self, name, text, what):
        self.file_notes[name] = _("In der Datei: „%(text)s“ – %(what)s") % {"text": text, "what": what}

    def _add_extra_columns(self):
        """Columns of the file this measure does not ask, as plain text fields, where the row fills them."""
        from .excel.layout import MEASURE_NUMBER

        names = []
        for column in self.layout.columns:
            if column.key in self.fields or not self.file_texts.get(column.key):
                continue
            if column.key == MEASURE_NUMBER and not self.row.get("errors", {}).get(column.key):
                continue  # the measure number: only a wrong one needs correcting
            self.fields[column.key] = forms.CharField(
                label=column.header, required=False, max_length=400,
                help_text=_("Diese Spalte gilt für die Maßnahme nicht. Leeren Sie das Feld, wenn die Angabe nicht "
                            "hierher gehört."),
            )
            self.initial[column.key] = self.file_texts[column.key]
            names.append(column.key)
        return names

    def extra_fields(self):
        return [self[name] for name in self.extra_names]

    # -- validation: the fields' formats only; the rules run in the importer ------------------

    def clean(self):
        return forms.ModelForm.clean(self)

    def save(self, commit=True):
        """Never: a corrected row is written only by "Übernehmen", through the importer (excel.jobs.take)."""
        raise TypeError("ImportRowForm does not save; pass cells() to excel.jobs.correct_row")

    def cells(self):
        """The cleaned values as the texts the importer reads: TT.MM.JJJJ, catalogue labels, ja/nein, years."""
        from .excel.importer import display

        cells = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                cells[name] = ""
            elif hasattr(value, "label"):
                cells[name] = value.label
            else:
                cells[name] = display(value)  # bool -> ja/nein, date -> TT.MM.JJJJ
        return cells

    # -- what the importer said ----------------------------------------------------------------

    def show_row(self, row):
        """The row's reasons at their fields (the rest above the form), its notes under their fields."""
        errors = self.errors if self.is_bound else self._unbound_errors()
        for name in [name for name in errors if name in self.fields]:
            errors.pop(name)  # a new check replaces what the fields showed
        errors.pop(NON_FIELD, None)
        for key, messages in row.get("errors", {}).items():
            target = key if key in self.fields else NON_FIELD
            for message in messages:
                if target == NON_FIELD and key in self.layout.by_key:
                    message = f"{self.layout.by_key[key].header}: {message}"
                errors.setdefault(target, self.error_class(error_class="nonfield" if target == NON_FIELD else None))
                errors[target].append(message)
        self._keep_warnings(row)

    def _keep_warnings(self, row):
        self.row_warnings = {}
        for key, messages in row.get("warnings", {}).items():
            target = key if key in self.fields else NON_FIELD
            if target == NON_FIELD and key in self.layout.by_key:
                messages = [f"{self.layout.by_key[key].header}: {message}" for message in messages]
            self.row_warnings.setdefault(target, []).extend(messages)

    def _unbound_errors(self):
        if self._errors is None:
            self._errors = forms.utils.ErrorDict()
        return self._errors

    @property
    def warnings(self):
        shown = {name: list(messages) for name, messages in self.row_warnings.items()}
        for name, note in self.file_notes.items():
            shown.setdefault(name, []).insert(0, note)
        return shown

    def general_warnings(self):
        return self.row_warnings.get(NON_FIELD, [])
