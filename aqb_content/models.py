"""Page and snippet types of the public site.

The RP editors fill these in the Wagtail admin. Contacts are snippets so that the AQB
team's address and phone numbers are kept once and shown on every page that needs them.
"""

from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import BodyBlock, DownloadGroupBlock, EntryPointBlock

NEWS_PER_PAGE = 10


class PhoneBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Bezeichnung"), help_text=_("z. B. „Sachbearbeitung AQB“"))
    number = blocks.CharBlock(label=_("Telefonnummer"), help_text=_("z. B. „0561 106-4092“"))

    class Meta:
        icon = "mobile-alt"
        label = _("Telefon")


class Contact(index.Indexed, models.Model):
    """A reusable contact (team, office): shown through the contact block and in the footer."""

    name = models.CharField(_("Name"), max_length=200, unique=True)
    organisation_unit = models.CharField(_("Organisationseinheit"), max_length=255, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phones = StreamField([("phone", PhoneBlock())], verbose_name=_("Telefon"), blank=True)
    address = models.TextField(_("Postanschrift"), blank=True, help_text=_("Eine Zeile je Adresszeile."))
    note = models.TextField(_("Hinweis"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("organisation_unit"),
        FieldPanel("email"),
        FieldPanel("phones"),
        FieldPanel("address"),
        FieldPanel("note"),
    ]
    # Every field a visitor may look for (a name in a phone label, a number, the address), also
    # as prefixes, which is how aqb_content.search finds word forms and "Teilnehm*".
    search_fields = [
        index.SearchField("name", boost=5),
        index.SearchField("organisation_unit"),
        index.SearchField("email"),
        index.SearchField("phones"),
        index.SearchField("address"),
        index.SearchField("note"),
        index.AutocompleteField("name"),
        index.AutocompleteField("organisation_unit"),
        index.AutocompleteField("email"),
        index.AutocompleteField("phones"),
        index.AutocompleteField("address"),
        index.AutocompleteField("note"),
    ]

    class Meta:
        verbose_name = _("Kontakt")
        verbose_name_plural = _("Kontakte")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def address_lines(self):
        return [line.strip() for line in self.address.splitlines() if line.strip()]


@register_setting(icon="site")
class FooterSettings(BaseSiteSetting):
    """What the footer of every page shows: one contact and the legal pages."""

    footer_contact = models.ForeignKey(
        Contact,
        verbose_name=_("Kontakt im Seitenfuß"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imprint_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("Impressum"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("Datenschutz"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("Barrierefreiheit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    plain_language_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("Leichte Sprache"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Erklärt das Portal in Leichter Sprache (BITV 2.0 § 4); steht im Seitenfuß neben „Barrierefreiheit“."
        ),
    )

    panels = [
        FieldPanel("footer_contact"),
        MultiFieldPanel(
            [
                FieldPanel("imprint_page"),
                FieldPanel("privacy_page"),
                FieldPanel("accessibility_page"),
                FieldPanel("plain_language_page"),
            ],
            heading=_("Rechtliche Seiten"),
        ),
    ]

    class Meta:
        verbose_name = _("Seitenfuß")

    @property
    def legal_pages(self):
        """The legal pages in footer order, leaving out unset or unpublished ones."""
        pages = [self.imprint_page, self.privacy_page, self.accessibility_page, self.plain_language_page]
        return [page for page in pages if page is not None and page.live]


class ContentPage(Page):
    """Shared fields of the content pages: a short introduction and a block body."""

    intro = models.TextField(
        _("Einleitung"), blank=True, help_text=_("Ein bis drei Sätze, auch für die Suchergebnisse.")
    )
    body = StreamField(BodyBlock(), verbose_name=_("Inhalt"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.AutocompleteField("intro"),
        index.AutocompleteField("body"),
    ]

    class Meta:
        abstract = True


class HomePage(Page):
    """The start page: the programme in brief, entry points per audience, latest news."""

    intro = RichTextField(_("Einleitung"), features=["bold", "italic", "link"], blank=True)
    entry_points = StreamField([("entry_point", EntryPointBlock())], verbose_name=_("Einstiege"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("Inhalt"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("entry_points"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.AutocompleteField("intro"),
        index.AutocompleteField("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("Startseite")

    def latest_news(self, limit=3):
        """The newest published news of the news index below this page."""
        news_index = NewsIndexPage.objects.child_of(self).live().first()
        if news_index is None:
            return NewsPage.objects.none()
        return NewsPage.objects.child_of(news_index).live().order_by("-date", "-pk")[:limit]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = self.latest_news()
        return context


class StandardPage(ContentPage):
    """Programme description, contact page, legal pages: title, introduction, blocks."""

    class Meta:
        verbose_name = _("Inhaltsseite")


class GuidanceIndexPage(ContentPage):
    """'Hinweise zum Monitoring': lists its topic pages in tree order."""

    subpage_types = ["aqb_content.GuidancePage"]

    class Meta:
        verbose_name = _("Hinweise-Übersicht")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topics"] = GuidancePage.objects.child_of(self).live().public()
        return context


class GuidancePage(ContentPage):
    """One guidance topic for ZE clerks and providers: the rules of docs/domain-rules.md in the users' words."""

    parent_page_types = ["aqb_content.GuidanceIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("Hinweisseite")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topics"] = GuidancePage.objects.sibling_of(self).live().public()
        return context


class DownloadsPage(ContentPage):
    """Forms grouped by purpose, plus the fixed slot for the participant template."""

    participant_template_text = models.TextField(
        _("Text zur Teilnehmenden-Vorlage"),
        blank=True,
        help_text=_("Erscheint bei der Teilnehmenden-Vorlage (Excel), die das Portal stets aktuell erzeugt."),
    )
    groups = StreamField([("group", DownloadGroupBlock())], verbose_name=_("Download-Gruppen"), blank=True)

    content_panels = ContentPage.content_panels[:2] + [
        FieldPanel("participant_template_text"),
        FieldPanel("groups"),
        FieldPanel("body"),
    ]
    search_fields = ContentPage.search_fields + [
        index.SearchField("participant_template_text"),
        index.SearchField("groups"),
        index.AutocompleteField("participant_template_text"),
        index.AutocompleteField("groups"),
    ]
    subpage_types = []

    class Meta:
        verbose_name = _("Download-Seite")


class NewsIndexPage(ContentPage):
    """'Aktuelles': its news pages, newest first, ten per page."""

    subpage_types = ["aqb_content.NewsPage"]

    class Meta:
        verbose_name = _("Nachrichten-Übersicht")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        context["news_page"] = Paginator(news, NEWS_PER_PAGE).get_page(request.GET.get("seite"))
        return context


class NewsPage(ContentPage):
    date = models.DateField(_("Datum"))

    content_panels = ContentPage.content_panels[:1] + [FieldPanel("date")] + ContentPage.content_panels[1:]
    parent_page_types = ["aqb_content.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("Nachricht")
