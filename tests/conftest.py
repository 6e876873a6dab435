"""Named users per role and tenant, so a permission test reads like the rule it checks."""

import pytest

from aqb_monitoring.models import GrantRecipient, Organisation, OrganisationKind, Provider, User

PASSWORD = "AQBtest#!2026"


def make_user(email, organisation, **extra):
    user = User.objects.create_user(email=email, password=PASSWORD, organisation=organisation, **extra)
    if organisation is not None and organisation.group_id:
        user.groups.add(organisation.group)
    return user


@pytest.fixture
def authority(db):
    return Organisation.objects.create(kind=OrganisationKind.AUTHORITY, name="RP Kassel")


@pytest.fixture
def kassel(db):
    return GrantRecipient.objects.create(name="Landkreis Kassel", abbreviation="KS")


@pytest.fixture
def fulda(db):
    return GrantRecipient.objects.create(name="Landkreis Fulda", abbreviation="FD")


@pytest.fixture
def provider_org_a(kassel):
    return Provider.objects.create(name="Bildungswerk Nordhessen", grant_recipient=kassel, contact_email="a@example.org")


@pytest.fixture
def provider_org_b(fulda):
    return Provider.objects.create(name="Fulda Perspektiven", grant_recipient=fulda, contact_email="b@example.org")


@pytest.fixture
def rp_editor(authority):
    from django.contrib.auth.models import Group

    user = make_user("rp@example.org", authority)
    user.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
    return user


@pytest.fixture
def ze_kassel(kassel):
    return make_user("ze.kassel@example.org", kassel)


@pytest.fixture
def ze_fulda(fulda):
    return make_user("ze.fulda@example.org", fulda)


@pytest.fixture
def provider_a(provider_org_a):
    return make_user("traeger.a@example.org", provider_org_a)


@pytest.fixture
def provider_b(provider_org_b):
    return make_user("traeger.b@example.org", provider_org_b)
