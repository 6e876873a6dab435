from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "aqb_monitoring"
    verbose_name = "Teilnehmenden-Monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Permission policies and signal handlers register themselves on import.
        from . import signals  # noqa: F401
