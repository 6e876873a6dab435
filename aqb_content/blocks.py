"""StreamField blocks of the public pages.

Every block renders with its own template under templates/aqb_content/blocks/, so the
markup (semantic HTML, no JavaScript) lives in one place and pages only arrange blocks.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"]


class HeadingBlock(blocks.StructBlock):
    """A section heading; the level keeps the page outline valid (the page title is the h1)."""

    text = blocks.CharBlock(label=_("Überschrift"))
    level = blocks.ChoiceBlock(
        label=_("Ebene"),
        choices=[("h2", _("Überschrift 2")), ("h3", _("Überschrift 3"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Überschrift")
        template = "aqb_content/blocks/heading.html"


class CalloutBlock(blocks.StructBlock):
    """A framed box for what a reader must not miss (deadlines, warnings)."""

    kind = blocks.ChoiceBlock(
        label=_("Art"),
        choices=[("info", _("Hinweis")), ("warning", _("Wichtig"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("Titel"), required=False)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Hinweisbox")
        template = "aqb_content/blocks/callout.html"


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Bild"))
    caption = blocks.CharBlock(label=_("Bildunterschrift"), required=False)

    class Meta:
        icon = "image"
        label = _("Bild")
        template = "aqb_content/blocks/figure.html"


class DocumentLinkBlock(blocks.StructBlock):
    """A link to one document; the template shows file type and size next to it."""

    document = DocumentChooserBlock(label=_("Dokument"))
    title = blocks.CharBlock(
        label=_("Linktext"), required=False, help_text=_("Leer lassen, um den Titel des Dokuments zu zeigen.")
    )

    class Meta:
        icon = "doc-full"
        label = _("Dokument-Link")
        template = "aqb_content/blocks/document_link.html"


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Frage"))
    answer = blocks.RichTextBlock(label=_("Antwort"), features=RICH_TEXT_FEATURES)


class FAQBlock(blocks.StructBlock):
    """Questions that open on click: <details>/<summary>, so they work without JavaScript."""

    title = blocks.CharBlock(label=_("Titel"), required=False)
    items = blocks.ListBlock(FAQItemBlock(), label=_("Fragen"))

    class Meta:
        icon = "help"
        label = _("Fragen und Antworten")
        template = "aqb_content/blocks/faq.html"


class ContactBlock(blocks.StructBlock):
    """Shows a contact snippet: the snippet is edited once and every page follows."""

    contact = SnippetChooserBlock("aqb_content.Contact", label=_("Kontakt"))

    class Meta:
        icon = "user"
        label = _("Kontakt")
        template = "aqb_content/blocks/contact.html"


class TimelineEntryBlock(blocks.StructBlock):
    when = blocks.CharBlock(label=_("Zeitpunkt"), help_text=_("z. B. „03.02.2026“ oder „ab 04.02.2026“"))
    text = blocks.RichTextBlock(label=_("Was geschieht"), features=RICH_TEXT_FEATURES)


class TimelineBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titel"), required=False)
    entries = blocks.ListBlock(TimelineEntryBlock(), label=_("Einträge"))

    class Meta:
        icon = "date"
        label = _("Zeitplan")
        template = "aqb_content/blocks/timeline.html"


class BodyBlock(blocks.StreamBlock):
    """The blocks every content page offers its editors."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES, icon="pilcrow")
    callout = CalloutBlock()
    image = FigureBlock()
    document = DocumentLinkBlock()
    faq = FAQBlock()
    contact = ContactBlock()
    timeline = TimelineBlock()


class EntryPointBlock(blocks.StructBlock):
    """A start-page tile for one audience (grant recipients, providers, the public)."""

    title = blocks.CharBlock(label=_("Zielgruppe"))
    text = blocks.TextBlock(label=_("Kurztext"))
    links = blocks.ListBlock(blocks.PageChooserBlock(label=_("Seite")), label=_("Links"))

    class Meta:
        icon = "group"
        label = _("Einstieg")
        template = "aqb_content/blocks/entry_point.html"


class DownloadGroupBlock(blocks.StructBlock):
    """Documents grouped by purpose, with a heading and an optional short explanation."""

    heading = blocks.CharBlock(label=_("Überschrift"))
    text = blocks.TextBlock(label=_("Erläuterung"), required=False)
    documents = blocks.ListBlock(DocumentChooserBlock(label=_("Dokument")), label=_("Dokumente"))

    class Meta:
        icon = "folder-open-inverse"
        label = _("Download-Gruppe")
        template = "aqb_content/blocks/download_group.html"
