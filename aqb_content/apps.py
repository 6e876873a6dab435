from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "aqb_content"
    verbose_name = "Öffentliche Seiten"
    default_auto_field = "django.db.models.BigAutoField"
