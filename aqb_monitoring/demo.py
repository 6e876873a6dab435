"""Demo data of the monitoring side, built in code (see `manage.py seed_demo`)."""

from django.contrib.auth.models import Group

from .models import Organisation, OrganisationKind, User

DEMO_PASSWORD = "AQBdemo#!2026"

AUTHORITY_NAME = "Regierungspräsidium Kassel, Dezernat 57 – AQB-Team"


def ensure_user(email, organisation, first_name, last_name, *, groups=(), report):
    """Create a demo login once; a second run leaves it (and its password) as it is."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first_name, "last_name": last_name, "organisation": organisation, "is_active": True},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        report.created("Benutzer", email)
    for group in groups:
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
            report.changed("Gruppe", f"{email} → {group.name}")
    return user


def seed_accounts(report):
    """The RP organisation and its editor login (the authority sees and edits everything)."""
    authority, created = Organisation.objects.get_or_create(
        kind=OrganisationKind.AUTHORITY,
        name=AUTHORITY_NAME,
        defaults={"contact_email": "AQBudget@rpks.hessen.de"},
    )
    if created:
        report.created("Organisation", authority.name)
    editor_groups = [authority.group]
    editor_groups += list(Group.objects.filter(name__in=["Editors", "Moderators"]))
    ensure_user("rp@aqb-demo.de", authority, "Petra", "Reinhardt", groups=editor_groups, report=report)
    return authority


DEMO_LOGINS = [
    ("rp@aqb-demo.de", "RP Kassel (Redaktion und Bewilligungsbehörde)"),
]
