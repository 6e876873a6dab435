from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "aqb_monitoring"
    verbose_name = "Teilnehmenden-Monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Our permission policies must be registered before Wagtail creates a fallback
        # policy for these models (it would on the first lookup).
        from . import permissions, security_signals, sessions, signals  # noqa: F401

        permissions.register_policies()
        security_signals.connect()
