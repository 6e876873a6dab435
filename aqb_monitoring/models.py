"""Tables of the monitoring side: organisations and users, catalogues, measures,
participants with their answers, and the audit trail.

Rules that span several values (V1-V10) live in validation.py, the status in status.py,
who may see what in permissions.py; this module holds only tables and their invariants.
"""

import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import Group, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import functions  # noqa: F401  (models.functions.Coalesce)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .formatting import format_date, format_datetime
from .storage import PrivateStorage

# ---------------------------------------------------------------------------
# Organisations and users
# ---------------------------------------------------------------------------


class OrganisationKind(models.TextChoices):
    AUTHORITY = "authority", _("Regierungspräsidium (Bewilligungsbehörde)")
    GRANT_RECIPIENT = "grant_recipient", _("Zuwendungsempfänger")
    PROVIDER = "provider", _("Träger")


class Organisation(models.Model):
    """RP, a grant recipient (one of the 26 GK) or a provider; every user belongs to one.

    Each organisation owns one auth Group: guardian grants object permissions on measures
    to these groups, and a user's access follows from membership.
    """

    kind = models.CharField(_("Art"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("Name"), max_length=200)
    abbreviation = models.CharField(
        _("Kürzel"),
        max_length=10,
        blank=True,
        help_text=_("Kürzel der Gebietskörperschaft, z. B. KS oder FD; Teil der Maßnahmennummer."),
    )
    grant_recipient = models.ForeignKey(
        "self",
        verbose_name=_("Zuwendungsempfänger"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="providers",
        limit_choices_to={"kind": OrganisationKind.GRANT_RECIPIENT},
        help_text=_("Nur bei Trägern: der Zuwendungsempfänger, für den der Träger Maßnahmen durchführt."),
    )
    contact_email = models.EmailField(
        _("Kontakt-E-Mail"),
        blank=True,
        help_text=_("Adresse für Benachrichtigungen aus dem Portal (z. B. Erinnerungen)."),
    )
    external_id = models.CharField(
        _("ID in der RP-Datenbank"), max_length=50, blank=True, help_text=_("Kennung aus dem Import des RP.")
    )
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="organisation"
    )

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["abbreviation"],
                condition=models.Q(kind="grant_recipient"),
                name="unique_grant_recipient_abbreviation",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="provider", grant_recipient__isnull=False)
                | (~models.Q(kind="provider") & models.Q(grant_recipient__isnull=True)),
                name="provider_has_grant_recipient",
            ),
        ]

    def __str__(self):
        if self.kind == OrganisationKind.GRANT_RECIPIENT and self.abbreviation:
            return f"{self.name} ({self.abbreviation})"
        return self.name

    @property
    def is_authority(self):
        return self.kind == OrganisationKind.AUTHORITY

    @property
    def is_grant_recipient(self):
        return self.kind == OrganisationKind.GRANT_RECIPIENT

    @property
    def is_provider(self):
        return self.kind == OrganisationKind.PROVIDER

    def save(self, *args, **kwargs):
        """Every organisation gets a group of its own for guardian's grants.

        The group is always new and named with the organisation's id, never looked up by
        name: two providers of the same name (under different ZE) must not share rights.
        """
        super().save(*args, **kwargs)
        if self.group_id is None:
            self.group = Group.objects.create(name=f"Organisation {self.pk}: {self.name}"[:150])
            super().save(update_fields=["group"])


class GrantRecipientManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=OrganisationKind.GRANT_RECIPIENT)


class ProviderManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=OrganisationKind.PROVIDER)


class GrantRecipient(Organisation):
    """A Zuwendungsempfänger (Landkreis or kreisfreie Stadt)."""

    objects = GrantRecipientManager()

    class Meta:
        proxy = True
        verbose_name = _("Zuwendungsempfänger")
        verbose_name_plural = _("Zuwendungsempfänger")

    def save(self, *args, **kwargs):
        self.kind = OrganisationKind.GRANT_RECIPIENT
        super().save(*args, **kwargs)


class Provider(Organisation):
    """A Träger that runs measures on behalf of one grant recipient."""

    objects = ProviderManager()

    class Meta:
        proxy = True
        verbose_name = _("Träger")
        verbose_name_plural = _("Träger")

    def save(self, *args, **kwargs):
        self.kind = OrganisationKind.PROVIDER
        super().save(*args, **kwargs)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Die E-Mail-Adresse ist erforderlich.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address; belongs to exactly one organisation."""

    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    first_name = models.CharField(_("Vorname"), max_length=150, blank=True)
    last_name = models.CharField(_("Nachname"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("Organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    is_staff = models.BooleanField(_("Mitarbeiterstatus"), default=False)
    is_active = models.BooleanField(_("Aktiv"), default=True)
    must_change_password = models.BooleanField(
        _("Passwort muss geändert werden"),
        default=False,
        help_text=_("Bei einem Einmal-Passwort: bei der nächsten Anmeldung ein eigenes Passwort wählen."),
    )
    date_joined = models.DateTimeField(_("Angelegt am"), default=timezone.now)
    invited_at = models.DateTimeField(
        _("Eingeladen am"), null=True, blank=True,
        help_text=_("Wann die letzte Einladung zum Festlegen des Passworts verschickt wurde."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("Benutzer")
        verbose_name_plural = _("Benutzer")
        ordering = ["email"]
        constraints = [
            # Log-in, lock and reset compare addresses case-insensitively; so does uniqueness.
            models.UniqueConstraint(models.functions.Lower("email"), name="unique_user_email_ci"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


# ---------------------------------------------------------------------------
# Catalogues: data, editable by RP editors, seeded by a data migration
# ---------------------------------------------------------------------------


class Catalogue(models.Model):
    """A choice list entry: stable code for files, German label, order, and an active flag.

    Entries that are in use are deactivated rather than deleted (PROTECT on every
    foreign key), so stored answers never change when the catalogue does.
    """

    code = models.SlugField(
        _("Code"),
        max_length=40,
        unique=True,
        help_text=_("Stabiler Schlüssel, wird in Excel-Dateien verwendet. Nach Verwendung nicht mehr ändern."),
    )
    label = models.CharField(_("Bezeichnung"), max_length=400)
    sort_order = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    is_active = models.BooleanField(
        _("Aktiv"), default=True, help_text=_("Inaktive Einträge werden für neue Eingaben nicht mehr angeboten.")
    )
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "label"]

    def __str__(self):
        return self.label


class MeasureType(Catalogue):
    """Maßnahmeart M1-M4, with the flags that decide which participant fields apply."""

    has_participant_monitoring = models.BooleanField(
        _("Teilnehmenden-Monitoring"), default=True, help_text=_("M4 (Weiterbildung für Personal) erfasst keine Teilnehmenden.")
    )
    requires_participant_goal = models.BooleanField(
        _("TN-Ziel erforderlich"), default=False, help_text=_("Ob bei Eintritt ein TN-Ziel anzugeben ist (M1).")
    )
    asks_exam_passed = models.BooleanField(
        _("Frage „Prüfung bestanden?“"), default=False, help_text=_("Ob bei Austritt nach der Prüfung gefragt wird (M2).")
    )

    class Meta(Catalogue.Meta):
        verbose_name = _("Maßnahmeart")
        verbose_name_plural = _("Maßnahmearten")


class ProgrammeLine(Catalogue):
    has_interim_due_dates = models.BooleanField(
        _("Feste Termine für Zwischenmeldungen"), default=False
    )

    class Meta(Catalogue.Meta):
        verbose_name = _("Programmlinie")
        verbose_name_plural = _("Programmlinien")


class MainGoal(Catalogue):
    measure_types = models.ManyToManyField(
        MeasureType, verbose_name=_("Maßnahmearten"), blank=True, related_name="main_goals"
    )

    class Meta(Catalogue.Meta):
        verbose_name = _("Hauptziel der Maßnahme")
        verbose_name_plural = _("Hauptziele der Maßnahme")


class ParticipantGoal(Catalogue):
    class Meta(Catalogue.Meta):
        verbose_name = _("TN-Ziel")
        verbose_name_plural = _("TN-Ziele")


class Gender(Catalogue):
    class Meta(Catalogue.Meta):
        verbose_name = _("Geschlecht")
        verbose_name_plural = _("Geschlechter")


class SchoolAttendance(Catalogue):
    class Meta(Catalogue.Meta):
        verbose_name = _("Schulbesuch bei Eintritt")
        verbose_name_plural = _("Schulbesuch bei Eintritt")


class EducationLevel(Catalogue):
    class Meta(Catalogue.Meta):
        verbose_name = _("Bildungsstand")
        verbose_name_plural = _("Bildungsstände")


class EmploymentStatus(Catalogue):
    class Meta(Catalogue.Meta):
        verbose_name = _("Erwerbstätigkeit bei Eintritt")
        verbose_name_plural = _("Erwerbstätigkeit bei Eintritt")


class UnemploymentRegistration(Catalogue):
    class Meta(Catalogue.Meta):
        verbose_name = _("Arbeitslosmeldung")
        verbose_name_plural = _("Arbeitslosmeldungen")


class Benefit(Catalogue):
    class Meta(Catalogue.Meta):
        verbose_name = _("Leistungsbezug")
        verbose_name_plural = _("Leistungsbezug")


class Destination(Catalogue):
    """Verbleib nach Austritt; two entries carry meaning for the rules."""

    requires_exit_reason = models.BooleanField(
        _("Austrittsgrund erforderlich"),
        default=False,
        help_text=_("Bei „nicht erwerbstätig, …“ ist ein Austrittsgrund anzugeben."),
    )
    is_carry_over = models.BooleanField(
        _("Fortsetzung im Folgebudget"),
        default=False,
        help_text=_("„setzt die Maßnahme im folgenden Budget fort“: Grundlage der Übernahme ins Folgebudget."),
    )

    class Meta(Catalogue.Meta):
        verbose_name = _("Verbleib")
        verbose_name_plural = _("Verbleibe")


class ExitReason(Catalogue):
    requires_free_text = models.BooleanField(
        _("Freitext erforderlich"), default=False, help_text=_("Bei „sonstiger Grund“ ist der Grund als Text anzugeben.")
    )

    class Meta(Catalogue.Meta):
        verbose_name = _("Austrittsgrund")
        verbose_name_plural = _("Austrittsgründe")


class QuestionBlock(Catalogue):
    """A block of yes/no questions asked at entry and again at exit (docs/domain-rules.md §5).

    It applies to a participant when the measure's type is in `measure_types`
    (always), or when the participant's goal is in `participant_goals`.
    """

    measure_types = models.ManyToManyField(
        MeasureType,
        verbose_name=_("Immer bei Maßnahmeart"),
        blank=True,
        related_name="question_blocks",
    )
    participant_goals = models.ManyToManyField(
        ParticipantGoal,
        verbose_name=_("Bei TN-Ziel"),
        blank=True,
        related_name="question_blocks",
    )

    class Meta(Catalogue.Meta):
        verbose_name = _("Fragenblock")
        verbose_name_plural = _("Fragenblöcke")


class Question(Catalogue):
    block = models.ForeignKey(
        QuestionBlock, verbose_name=_("Fragenblock"), on_delete=models.PROTECT, related_name="questions"
    )
    help_text = models.CharField(_("Hilfetext"), max_length=400, blank=True)

    class Meta(Catalogue.Meta):
        verbose_name = _("Frage")
        verbose_name_plural = _("Fragen")
        ordering = ["block__sort_order", "sort_order", "label"]


class ReturnReason(Catalogue):
    """Why the RP returns a report to the grant recipient (chosen with free text beside it)."""

    class Meta(Catalogue.Meta):
        verbose_name = _("Rückgabegrund")
        verbose_name_plural = _("Rückgabegründe")


class RejectionReason(Catalogue):
    """Why the RP rejects a grant recipient's change request for a measure's master data."""

    class Meta(Catalogue.Meta):
        verbose_name = _("Ablehnungsgrund")
        verbose_name_plural = _("Ablehnungsgründe")


CATALOGUE_MODELS = [
    MeasureType,
    ProgrammeLine,
    MainGoal,
    ParticipantGoal,
    Gender,
    SchoolAttendance,
    EducationLevel,
    EmploymentStatus,
    UnemploymentRegistration,
    Benefit,
    Destination,
    ExitReason,
    QuestionBlock,
    Question,
    ReturnReason,
    RejectionReason,
]


# ---------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------

MEASURE_NUMBER_PATTERN = r"^AQB\d{2}-[A-Z]{1,6}-M[1-4]-\d{2,3}$"


class Measure(models.Model):
    """A funded measure, imported from the RP database (never created by ZE or provider)."""

    number = models.CharField(
        _("Maßnahmennummer"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                MEASURE_NUMBER_PATTERN,
                _("Die Maßnahmennummer hat das Format AQB<Jahr>-<GK>-<Art>-<Nr.>, z. B. AQB26-KS-M1-01."),
            )
        ],
    )
    title = models.CharField(_("Titel"), max_length=300)
    measure_type = models.ForeignKey(
        MeasureType, verbose_name=_("Maßnahmeart"), on_delete=models.PROTECT, related_name="measures"
    )
    programme_line = models.ForeignKey(
        ProgrammeLine, verbose_name=_("Programmlinie"), on_delete=models.PROTECT, related_name="measures"
    )
    start_date = models.DateField(_("Beginn"))
    end_date = models.DateField(_("Ende"))
    main_goal = models.ForeignKey(
        MainGoal,
        verbose_name=_("Hauptziel"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
    )
    grant_recipient = models.ForeignKey(
        Organisation,
        verbose_name=_("Zuwendungsempfänger"),
        on_delete=models.PROTECT,
        related_name="measures",
        limit_choices_to={"kind": OrganisationKind.GRANT_RECIPIENT},
    )
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("Träger"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provided_measures",
        limit_choices_to={"kind": OrganisationKind.PROVIDER},
    )
    planned_participants = models.PositiveIntegerField(_("Geplante Teilnehmendenzahl"), null=True, blank=True)
    budget_year = models.PositiveSmallIntegerField(_("Budgetjahr"), db_index=True)
    successor = models.OneToOneField(
        "self",
        verbose_name=_("Folgemaßnahme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessor",
        help_text=_("Maßnahme im folgenden Budget, in die Teilnehmende übernommen werden."),
    )
    closed_at = models.DateTimeField(_("Abgeschlossen am"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Abgeschlossen von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")
        ordering = ["-budget_year", "number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="measure_end_after_start"),
        ]

    def __str__(self):
        return f"{self.number}: {self.title}"

    @property
    def is_closed(self):
        return self.closed_at is not None


class InterimDueDate(models.Model):
    """A fixed interim-report date (Schutzschirm, Brückenqualifizierung)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="interim_due_dates")
    due_date = models.DateField(_("Termin der Zwischenmeldung"))

    class Meta:
        verbose_name = _("Termin der Zwischenmeldung")
        verbose_name_plural = _("Termine der Zwischenmeldung")
        ordering = ["due_date"]
        constraints = [models.UniqueConstraint(fields=["measure", "due_date"], name="unique_interim_due_date")]

    def __str__(self):
        return format_date(self.due_date)


# ---------------------------------------------------------------------------
# Participants
# ---------------------------------------------------------------------------


class ParticipantStatus(models.TextChoices):
    """Record status (docs/domain-rules.md §7): what the record allows to be reported."""

    RED = "red", _("Rot: Eintrittsdaten unvollständig")
    YELLOW = "yellow", _("Gelb: Austrittsdaten fehlen")
    GREEN = "green", _("Grün: vollständig")


PSEUDONYM_PATTERN = r"^[A-Za-z0-9-]+$"


class Participant(models.Model):
    """One pseudonymised person in one measure. No names: the ID is a pseudonym, age a birth year.

    `status` is stored (and indexed) so that lists filter and count by it at 100,000 rows;
    every write path sets it through status.compute_status().
    """

    measure = models.ForeignKey(Measure, verbose_name=_("Maßnahme"), on_delete=models.PROTECT, related_name="participants")
    pseudonym = models.CharField(
        _("Teilnehmenden-ID"),
        max_length=40,
        help_text=_(
            "Ein Pseudonym, kein Name: frei gewählte, innerhalb dieser Maßnahme eindeutige ID aus Buchstaben "
            "(ohne Umlaute), Ziffern und Bindestrich, z. B. „KS-2026-017“; keine Leerzeichen oder anderen "
            "Sonderzeichen. Keine Vor- oder Nachnamen und kein Geburtsdatum, auch nicht abgekürzt. Wer austritt "
            "und wieder eintritt, erhält eine neue ID."
        ),
    )
    # Entry data
    entry_date = models.DateField(_("Eintrittsdatum"), null=True, blank=True)
    gender = models.ForeignKey(Gender, verbose_name=_("Geschlecht"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    birth_year = models.PositiveSmallIntegerField(_("Geburtsjahr"), null=True, blank=True)
    migration_background = models.BooleanField(_("Migrationshintergrund"), null=True, blank=True)
    severely_disabled = models.BooleanField(_("Schwerbehindert"), null=True, blank=True)
    children_in_household = models.BooleanField(_("Kinder im Haushalt"), null=True, blank=True)
    single_parent = models.BooleanField(_("Alleinerziehend"), null=True, blank=True)
    school_attendance = models.ForeignKey(
        SchoolAttendance, verbose_name=_("Schulbesuch bei Eintritt"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    education_level = models.ForeignKey(
        EducationLevel, verbose_name=_("Bildungsstand bei Eintritt"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employment_status = models.ForeignKey(
        EmploymentStatus, verbose_name=_("Erwerbstätigkeit bei Eintritt"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unemployment_registration = models.ForeignKey(
        UnemploymentRegistration, verbose_name=_("Arbeitslosmeldung"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    benefit = models.ForeignKey(
        Benefit, verbose_name=_("Leistungsbezug bei Eintritt"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    goal = models.ForeignKey(
        ParticipantGoal, verbose_name=_("TN-Ziel"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Exit data
    exit_date = models.DateField(_("Austrittsdatum"), null=True, blank=True)
    destination = models.ForeignKey(
        Destination, verbose_name=_("Verbleib nach Austritt"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exit_reason = models.ForeignKey(
        ExitReason, verbose_name=_("Austrittsgrund"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exit_reason_other = models.CharField(
        _("Sonstiger Austrittsgrund"),
        max_length=300,
        blank=True,
        help_text=_(
            "Nur bei „sonstiger Grund“: den Austrittsgrund kurz beschreiben. Keine Namen (weder der Person noch "
            "anderer) und keine Angaben, an denen die Person zu erkennen ist."
        ),
    )
    completed_measure = models.BooleanField(_("Maßnahme vollständig durchlaufen?"), null=True, blank=True)
    main_goal_reached = models.BooleanField(_("Hauptziel der Maßnahme erreicht?"), null=True, blank=True)
    exam_passed = models.BooleanField(_("Prüfung bestanden?"), null=True, blank=True)
    # Bookkeeping
    status = models.CharField(
        _("Status"), max_length=10, choices=ParticipantStatus.choices, default=ParticipantStatus.RED, editable=False
    )
    carried_over_from = models.OneToOneField(
        "self",
        verbose_name=_("Übernommen aus"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="carried_over_to",
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Teilnehmende(r)")
        verbose_name_plural = _("Teilnehmende")
        ordering = ["measure", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "pseudonym"], name="unique_pseudonym_per_measure"),
        ]
        indexes = [
            # The status counts, and a status filter's page in ID order without sorting (docs/domain-rules.md §7).
            models.Index(fields=["measure", "status", "pseudonym"], name="participant_status_id"),
            models.Index(fields=["measure", "entry_date"], name="participant_measure_entry"),
            models.Index(fields=["measure", "exit_date"], name="participant_measure_exit"),
        ]

    def __str__(self):
        return self.pseudonym


# The participant's fields, once (docs/domain-rules.md §4): in the order the form, the Excel file and
# the audit trail show them; the entry data, the exit data, and which are catalogue entries, yes/no or dates.
ENTRY_FIELDS = (
    "pseudonym",
    "entry_date",
    "gender",
    "birth_year",
    "migration_background",
    "severely_disabled",
    "children_in_household",
    "single_parent",
    "school_attendance",
    "education_level",
    "employment_status",
    "unemployment_registration",
    "benefit",
    "goal",
)
EXIT_FIELDS = (
    "exit_date",
    "destination",
    "exit_reason",
    "exit_reason_other",
    "completed_measure",
    "main_goal_reached",
    "exam_passed",
)
CATALOGUE_FIELDS = {
    "gender": Gender,
    "school_attendance": SchoolAttendance,
    "education_level": EducationLevel,
    "employment_status": EmploymentStatus,
    "unemployment_registration": UnemploymentRegistration,
    "benefit": Benefit,
    "goal": ParticipantGoal,
    "destination": Destination,
    "exit_reason": ExitReason,
}
BOOLEAN_FIELDS = (
    "migration_background",
    "severely_disabled",
    "children_in_household",
    "single_parent",
    "completed_measure",
    "main_goal_reached",
    "exam_passed",
)
DATE_FIELDS = ("entry_date", "exit_date")


class AnswerPhase(models.TextChoices):
    ENTRY = "entry", _("bei Eintritt")
    EXIT = "exit", _("bei Austritt")


class Answer(models.Model):
    """A yes/no answer to one question, at entry or at exit."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    phase = models.CharField(max_length=5, choices=AnswerPhase.choices)
    value = models.BooleanField()

    class Meta:
        verbose_name = _("Antwort")
        verbose_name_plural = _("Antworten")
        constraints = [
            models.UniqueConstraint(fields=["participant", "question", "phase"], name="unique_answer"),
        ]

    def __str__(self):
        return f"{self.question}: {'ja' if self.value else 'nein'}"


# ---------------------------------------------------------------------------
# Audit trail
# ---------------------------------------------------------------------------


class AuditAction(models.TextChoices):
    CREATE = "create", _("angelegt")
    CHANGE = "change", _("geändert")
    DELETE = "delete", _("gelöscht")
    IMPORT_CREATE = "import_create", _("per Excel-Import angelegt")
    IMPORT_CHANGE = "import_change", _("per Excel-Import geändert")
    CARRY_OVER = "carry_over", _("ins Folgebudget übernommen")
    CLOSE = "close", _("Maßnahme abgeschlossen")
    REOPEN = "reopen", _("Maßnahme wieder geöffnet")
    REPORT = "report", _("Meldung an das RP abgesendet")
    REVIEW = "review", _("Meldung vom RP bearbeitet")
    DATA_COMPLETE = "data_complete", _("Dateneingabe als abgeschlossen gemeldet")
    CHANGE_REQUEST = "change_request", _("Änderung der Stammdaten angefragt")
    CHANGE_REQUEST_REJECTED = "change_rejected", _("Änderungsanfrage abgelehnt")
    RETENTION_PURGE = "retention_purge", _("Teilnehmendendaten nach Ablauf der Aufbewahrungsfrist gelöscht")


class AuditEntry(models.Model):
    """Who changed what, when: one row per create, change or delete (and measure events).

    `changes` maps a field's label to [old, new] as shown to users. The entry keeps the
    pseudonym as text, so it survives the deletion of the participant.
    """

    timestamp = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Benutzer"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    measure = models.ForeignKey(Measure, verbose_name=_("Maßnahme"), on_delete=models.CASCADE, related_name="audit_entries")
    participant = models.ForeignKey(
        Participant, verbose_name=_("Teilnehmende(r)"), on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    pseudonym = models.CharField(_("Teilnehmenden-ID"), max_length=40, blank=True)
    action = models.CharField(_("Aktion"), max_length=20, choices=AuditAction.choices)
    changes = models.JSONField(_("Änderungen"), default=dict, blank=True)
    note = models.TextField(_("Bemerkung"), blank=True)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokolleinträge")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["measure", "-timestamp"], name="audit_measure_time")]

    def __str__(self):
        return f"{format_datetime(self.timestamp)} {self.get_action_display()} {self.pseudonym}"


# ---------------------------------------------------------------------------
# Excel import jobs (excel/importer.py, tasks.py)
# ---------------------------------------------------------------------------


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("wartet")
    RUNNING = "running", _("wird gelesen")
    PREVIEW = "preview", _("Vorschau")
    FAILED = "failed", _("nicht lesbar")
    TAKING = "taking", _("wird übernommen")
    DONE = "done", _("übernommen")
    DISCARDED = "discarded", _("verworfen")


class ImportJobKind(models.TextChoices):
    PARTICIPANTS = "participants", _("Teilnehmende")
    MEASURES = "measures", _("Maßnahmen")


class ImportJob(models.Model):
    """One upload of a file: participants into one measure (`measure`), or the RP's file of
    measures and providers (`kind` MEASURES, no measure). The file, the reading progress, the
    preview of every row, the user's corrections, and after "Übernehmen" the outcome.

    The file is the source of truth: "Übernehmen" reads it again with the corrections, so
    what is written is validated against the data as they are at that moment. The file is
    deleted once the import is taken or discarded; `manage.py purge_import_files` removes
    what is left after AQB_IMPORT_RETENTION_HOURS (excel/housekeeping.py). A discarded job
    keeps its row, emptied, so that a take from a second tab is answered in German.
    """

    kind = models.CharField(_("Art"), max_length=12, choices=ImportJobKind.choices, default=ImportJobKind.PARTICIPANTS)
    measure = models.ForeignKey(Measure, verbose_name=_("Maßnahme"), on_delete=models.CASCADE, related_name="import_jobs",
                                null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Benutzer"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(_("Datei"), upload_to="excel-imports/%Y/%m/", storage=PrivateStorage(), blank=True)
    original_name = models.CharField(_("Dateiname"), max_length=255, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    progress = models.PositiveIntegerField(_("Gelesene Zeilen"), default=0)
    total = models.PositiveIntegerField(_("Zeilen"), default=0)
    error = models.TextField(_("Fehler"), blank=True)
    preview = models.JSONField(_("Vorschau"), default=dict, blank=True)
    corrections = models.JSONField(_("Korrekturen"), default=dict, blank=True)
    outcome = models.JSONField(_("Ergebnis"), default=dict, blank=True)
    # The reading worker's sign of life (jobs.record_progress); a queued or running job without
    # one for AQB_IMPORT_STALE_AFTER lost its worker and is failed (housekeeping.fail_stale_jobs).
    heartbeat_at = models.DateTimeField(_("Letztes Lebenszeichen"), null=True, blank=True)
    created_at = models.DateTimeField(_("Hochgeladen am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Excel-Import")
        verbose_name_plural = _("Excel-Importe")
        ordering = ["-created_at"]

    def __str__(self):
        target = self.measure.number if self.measure_id else self.get_kind_display()
        return f"{self.original_name} → {target}"


# ---------------------------------------------------------------------------
# Reports to the RP (DOMAIN.md §8): immutable records, reviewed by the RP
# ---------------------------------------------------------------------------


class ReportKind(models.TextChoices):
    ANNUAL = "annual", _("Jahresmeldung")
    INTERIM = "interim", _("Zwischenmeldung")
    CLOSING = "closing", _("Maßnahmenabschluss")
    ZERO = "zero", _("Nullmeldung")


class ReviewState(models.TextChoices):
    RECEIVED = "received", _("eingegangen")
    IN_REVIEW = "in_review", _("in Prüfung")
    ACCEPTED = "accepted", _("angenommen")
    RETURNED = "returned", _("zurückgegeben")


class ImmutableError(Exception):
    """A write to a record that is kept as it was submitted."""


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are added, never changed or removed: update() and delete() refuse (bulk actions, cascades of ours)."""

    def update(self, **kwargs):
        raise ImmutableError(self.model.not_changeable)

    def delete(self):
        raise ImmutableError(self.model.not_deletable)

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableError(self.model.not_changeable)


class AppendOnly(models.Model):
    """save() only creates; delete() refuses. With AppendOnlyQuerySet, no ORM path changes a stored row."""

    objects = AppendOnlyQuerySet.as_manager()
    not_changeable = _("Abgesendete Meldungen und ihre Prüfschritte können nicht geändert werden.")
    not_deletable = _("Abgesendete Meldungen und ihre Prüfschritte können nicht gelöscht werden.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(self.not_changeable)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(self.not_deletable)


class ReferenceCounter(models.Model):
    """The last reference number given per year: locked and raised in the report's own transaction,
    so the numbers are unique and without gaps (a failed submission rolls its number back)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Aktenzeichen-Zähler")
        verbose_name_plural = _("Aktenzeichen-Zähler")

    def __str__(self):
        return f"{self.year}: {self.last}"


class ReportQuerySet(AppendOnlyQuerySet):
    def with_state(self):
        """Annotated with `state`: the latest review step, "eingegangen" without one."""
        latest = ReportReview.objects.filter(report=models.OuterRef("pk")).order_by("-decided_at", "-id").values("state")[:1]
        return self.annotate(state=models.functions.Coalesce(
            models.Subquery(latest), models.Value(ReviewState.RECEIVED), output_field=models.CharField()))

    def live(self):
        """Not returned: a returned report counts as not sent (the ZE sends it again)."""
        return self.with_state().exclude(state=ReviewState.RETURNED)


class Report(AppendOnly):
    """A report as it was sent: kind, measure, period, who, when, reference number and a snapshot of
    every reported participant row (the export layout's headers and cells as shown)."""

    objects = ReportQuerySet.as_manager()

    reference = models.CharField(_("Aktenzeichen"), max_length=20, unique=True)
    kind = models.CharField(_("Art der Meldung"), max_length=10, choices=ReportKind.choices)
    measure = models.ForeignKey(Measure, verbose_name=_("Maßnahme"), on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField(_("Zeitraum von"))
    period_end = models.DateField(_("Zeitraum bis"))
    reporting_year = models.PositiveSmallIntegerField(_("Meldejahr"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("Abgesendet am"), default=timezone.now, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Abgesendet von"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    submitted_by_name = models.CharField(_("Abgesendet von (Name)"), max_length=300, blank=True)
    grant_recipient_name = models.CharField(_("Zuwendungsempfänger"), max_length=300)
    participant_count = models.PositiveIntegerField(_("Teilnehmende"), default=0)
    snapshot = models.JSONField(_("Gemeldete Daten"), default=dict)
    previous = models.ForeignKey(
        "self", verbose_name=_("Vorherige Meldung"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Meldung")
        verbose_name_plural = _("Meldungen")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["measure", "-submitted_at"], name="report_measure_time")]

    def __str__(self):
        return f"{self.reference} {self.get_kind_display()} {self.measure.number}"

    @property
    def rows_purged_on(self):
        """The day the retention purge replaced the report's rows by counts (None while it has its rows)."""
        purged_on = (self.snapshot or {}).get("purged_on")
        return datetime.date.fromisoformat(purged_on) if purged_on else None

    def replace_rows_by_counts(self, counts, purged_on):
        """The one change a sent report ever takes, and only from the retention purge
        (services/retention.py, `manage.py purge_expired_data`): once the measure's retention period
        has passed, its participant rows are dropped and `counts` (per column: value -> number of
        participants, no IDs, no dates, no free text) kept in their place. Kind, period, reference,
        sender and `participant_count` stay as they were sent. Bypasses the append-only queryset on
        purpose, for this one field."""
        if (self.snapshot or {}).get("purged_on"):
            return False
        snapshot = {
            "headers": (self.snapshot or {}).get("headers", []),
            "keys": (self.snapshot or {}).get("keys", []),
            "rows": [],
            "counts": counts,
            "purged_on": purged_on.isoformat(),
        }
        models.QuerySet(model=Report).filter(pk=self.pk).update(snapshot=snapshot)
        self.snapshot = snapshot
        return True


class ReportReview(AppendOnly):
    """One step of the RP's review of a report; the latest step is the report's state."""

    report = models.ForeignKey(Report, verbose_name=_("Meldung"), on_delete=models.PROTECT, related_name="reviews")
    state = models.CharField(_("Stand"), max_length=10, choices=ReviewState.choices)
    reasons = models.ManyToManyField(ReturnReason, verbose_name=_("Rückgabegründe"), blank=True, related_name="+")
    note = models.TextField(_("Begründung"), blank=True)
    decided_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Bearbeitet von"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_by_name = models.CharField(_("Bearbeitet von (Name)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Prüfschritt")
        verbose_name_plural = _("Prüfschritte")
        ordering = ["decided_at", "id"]

    def __str__(self):
        return f"{self.report_id}: {self.get_state_display()}"


class Notification(models.Model):
    """An e-mail of the reports' life cycle, written in the transaction of the change it reports and
    delivered afterwards by a task: a mail server outage loses nothing, and what was not delivered
    stays visible to the RP (`failed_at`, `last_error`)."""

    created_at = models.DateTimeField(_("Angelegt am"), default=timezone.now, db_index=True)
    measure = models.ForeignKey(
        Measure, verbose_name=_("Maßnahme"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipients = models.JSONField(_("Empfänger"), default=list)
    subject = models.CharField(_("Betreff"), max_length=300)
    body_text = models.TextField(_("Text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("Zustellversuche"), default=0)
    sent_at = models.DateTimeField(_("Versendet am"), null=True, blank=True)
    failed_at = models.DateTimeField(_("Zuletzt gescheitert am"), null=True, blank=True)
    last_error = models.TextField(_("Letzter Fehler"), blank=True)

    class Meta:
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.subject


class ReminderKind(models.TextChoices):
    ANNUAL = "annual", _("Jahresmeldung")
    INTERIM = "interim", _("Zwischenmeldung")
    CLOSING = "closing", _("Maßnahmenabschluss")
    RECORDS = "records", _("Unvollständige Datensätze")


class ReminderStep(models.TextChoices):
    DAYS_14 = "14", _("14 Tage vorher")
    DAYS_3 = "3", _("3 Tage vorher")
    OVERDUE = "overdue", _("überfällig (ab dem ersten Tag)")


class SentReminder(models.Model):
    """One reminder step sent to one address for one due date of a measure (oversight/reminders.py).
    The unique constraint makes `send_reminders` idempotent: a second run finds the row and sends nothing."""

    measure = models.ForeignKey(Measure, verbose_name=_("Maßnahme"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("Art"), max_length=10, choices=ReminderKind.choices)
    due_date = models.DateField(_("Fällig am"))
    step = models.CharField(_("Stufe"), max_length=10, choices=ReminderStep.choices)
    recipient = models.EmailField(_("Empfänger"))
    sent_at = models.DateTimeField(_("Versendet am"), default=timezone.now, db_index=True)
    notification = models.ForeignKey(
        Notification, verbose_name=_("E-Mail"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Versandte Erinnerung")
        verbose_name_plural = _("Versandte Erinnerungen")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "kind", "due_date", "step", "recipient"],
                                    name="unique_sent_reminder"),
        ]

    def __str__(self):
        return f"{self.measure_id} {self.kind} {self.due_date} {self.step} → {self.recipient}"


# ---------------------------------------------------------------------------
# Change requests for a measure's master data (handbook chapter 4, "Änderungsanfrage")
# ---------------------------------------------------------------------------


class ChangeRequestState(models.TextChoices):
    OPEN = "open", _("offen")
    APPLIED = "applied", _("übernommen")
    REJECTED = "rejected", _("abgelehnt")


class ChangeRequestField(models.TextChoices):
    """The master-data fields a grant recipient may ask the RP to correct."""

    TITLE = "title", _("Titel")
    START_DATE = "start_date", _("Beginn")
    END_DATE = "end_date", _("Ende")
    PLANNED_PARTICIPANTS = "planned_participants", _("Geplante Teilnehmendenzahl")
    PROVIDER = "provider", _("Träger")


class ChangeRequest(models.Model):
    """A grant recipient's request to correct one master-data field; changes nothing until the RP
    applies it (through services.measures.do_save_measure) or rejects it with reasons."""

    measure = models.ForeignKey(Measure, verbose_name=_("Maßnahme"), on_delete=models.PROTECT,
                                related_name="change_requests")
    field_name = models.CharField(_("Feld"), max_length=40, choices=ChangeRequestField.choices)
    proposed_value = models.CharField(_("Vorgeschlagener Wert"), max_length=300, blank=True,
                                      help_text=_("Wie vom Zuwendungsempfänger eingegeben."))
    reason = models.TextField(_("Begründung der Anfrage"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Angefragt von"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    requested_by_name = models.CharField(_("Angefragt von (Name)"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("Angefragt am"), default=timezone.now, db_index=True)
    state = models.CharField(_("Stand"), max_length=10, choices=ChangeRequestState.choices,
                             default=ChangeRequestState.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Entschieden von"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_by_name = models.CharField(_("Entschieden von (Name)"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("Entschieden am"), null=True, blank=True)
    rejection_reasons = models.ManyToManyField(RejectionReason, verbose_name=_("Ablehnungsgründe"), blank=True,
                                               related_name="+")
    decision_note = models.TextField(_("Begründung der Entscheidung"), blank=True)
    old_value = models.CharField(_("Bisheriger Wert"), max_length=300, blank=True,
                                 help_text=_("Der Wert vor der Übernahme."))

    class Meta:
        verbose_name = _("Änderungsanfrage")
        verbose_name_plural = _("Änderungsanfragen")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["state", "requested_at"], name="change_request_state_time")]
        constraints = [
            models.UniqueConstraint(fields=["measure", "field_name"], condition=models.Q(state="open"),
                                    name="one_open_change_request_per_field"),
        ]

    def __str__(self):
        return f"{self.measure_id}: {self.get_field_name_display()} → {self.proposed_value}"


# ---------------------------------------------------------------------------
# Security log (issue 13): kept apart from the participants' audit
# ---------------------------------------------------------------------------


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("Anmeldung")
    LOGIN_FAILED = "login_failed", _("Fehlgeschlagene Anmeldung")
    LOCKED = "locked", _("Konto gesperrt")
    UNLOCKED = "unlocked", _("Konto entsperrt")
    LOGOUT = "logout", _("Abmeldung")
    PASSWORD_CHANGED = "password_changed", _("Passwort geändert")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Passwort-Zurücksetzung angefordert")
    PASSWORD_RESET = "password_reset", _("Passwort zurückgesetzt")
    INVITATION_SENT = "invitation_sent", _("Einladung verschickt")
    USER_CREATED = "user_created", _("Benutzer angelegt")
    USER_CHANGED = "user_changed", _("Benutzer geändert")
    USER_DEACTIVATED = "user_deactivated", _("Benutzer deaktiviert")
    USER_REACTIVATED = "user_reactivated", _("Benutzer reaktiviert")
    ORGANISATION_CHANGED = "organisation_changed", _("Organisation geändert")


class SecurityEvent(AppendOnly):
    """Who did what to which account, when and from which address (log-ins, locks, passwords, users).

    Append-only like the reports: the log is evidence. `email` keeps the account's address as
    text, so an entry stays readable if the account is renamed; `actor` is who acted (None for an
    anonymous log-in attempt), `user` the account it concerns.
    """

    not_changeable = _("Einträge des Sicherheitsprotokolls können nicht geändert werden.")
    not_deletable = _("Einträge des Sicherheitsprotokolls können nicht gelöscht werden.")

    kind = models.CharField(_("Ereignis"), max_length=40, choices=SecurityEventKind.choices)
    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Ausgeführt von"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Betroffenes Konto"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="security_events",
    )
    email = models.CharField(_("E-Mail-Adresse"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-Adresse"), null=True, blank=True)
    detail = models.JSONField(_("Einzelheiten"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Sicherheitsereignis")
        verbose_name_plural = _("Sicherheitsprotokoll")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"]), models.Index(fields=["email", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.email} ({format_datetime(self.at)})"
