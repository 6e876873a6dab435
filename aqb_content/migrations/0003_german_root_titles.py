"""The page tree's root and the root collection are named "Root" by Wagtail's own migrations; the RP
meets both in the admin ("Erkunden: Root", "Sammlung: Root"). They get German names."""

from django.db import migrations

ROOT_PAGE_TITLE = "Seitenbaum"
ROOT_COLLECTION_NAME = "Alle Dateien"


def german_names(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    Page.objects.filter(depth=1, title="Root").update(title=ROOT_PAGE_TITLE, draft_title=ROOT_PAGE_TITLE)
    Collection.objects.filter(depth=1, name="Root").update(name=ROOT_COLLECTION_NAME)


def english_names(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    Page.objects.filter(depth=1, title=ROOT_PAGE_TITLE).update(title="Root", draft_title="Root")
    Collection.objects.filter(depth=1, name=ROOT_COLLECTION_NAME).update(name="Root")


class Migration(migrations.Migration):
    dependencies = [
        ("aqb_content", "0002_footer_plain_language_page"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailcore", "0025_collection_initial_data"),
    ]

    operations = [migrations.RunPython(german_names, english_names)]
