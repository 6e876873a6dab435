"""Scoped user management (issue 13): the "Benutzer" pages, invitations, the forced first password change."""
