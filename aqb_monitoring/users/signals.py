"""A password the user chose themselves ends the obligation to change a one-time password.

Besides the portal's own forms (invitation, forced change) a user may choose a password through
"Passwort vergessen?"; whichever way, the next log-in must not ask again. Only the one-time password
service sets a password *and* keeps the obligation (it marks the instance `_sets_one_time_password`).
"""

from django.db.models.signals import post_save, pre_save


def note_password_change(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._password_replaced = False
    if raw or instance.pk is None or not instance.must_change_password:
        return
    if getattr(instance, "_sets_one_time_password", False):
        return
    if update_fields is not None and "password" not in update_fields:
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_replaced = stored is not None and stored != instance.password


def clear_obligation(sender, instance, raw=False, **kwargs):
    if getattr(instance, "_password_replaced", False):
        sender._default_manager.filter(pk=instance.pk).update(must_change_password=False)
        instance.must_change_password = False
        instance._password_replaced = False


def connect(user_model):
    pre_save.connect(note_password_change, sender=user_model, dispatch_uid="aqb_note_password_change")
    post_save.connect(clear_obligation, sender=user_model, dispatch_uid="aqb_clear_password_obligation")
