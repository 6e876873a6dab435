"""One vocabulary for what an import does with each row, shared by both importers and their pages.

A row is created, updated, left unchanged or rejected; a stored preview row (the importers'
`RowResult.as_dict`) carries `row`, `action`, `errors` and `warnings` ({column key: [German
message]}, ROW_KEY for the row as a whole) and `changes` ({column key: [old, new]}).
`display_rows` turns them into what the row table shows: reasons, notes and the diff with
the column headers.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..validation import NON_FIELD

ACTION_CREATE = "create"
ACTION_UPDATE = "update"
ACTION_UNCHANGED = "unchanged"
ACTION_REJECTED = "rejected"
ACTIONS = (ACTION_CREATE, ACTION_UPDATE, ACTION_UNCHANGED, ACTION_REJECTED)
TAKEN = (ACTION_CREATE, ACTION_UPDATE)
ROW_KEY = NON_FIELD  # errors about the row as a whole

ACTION_LABELS = {
    ACTION_CREATE: gettext_lazy("neu"),
    ACTION_UPDATE: gettext_lazy("Änderung"),
    ACTION_UNCHANGED: gettext_lazy("unverändert"),
    ACTION_REJECTED: gettext_lazy("nicht übernommen"),
}
# Problems first: what is not taken, then changes, new records, and the unchanged last.
PREVIEW_ORDER = {ACTION_REJECTED: 0, ACTION_UPDATE: 1, ACTION_CREATE: 2, ACTION_UNCHANGED: 3}
# The preview's filters, in that order: (action, label of the link).
FILTERS = [
    (ACTION_REJECTED, gettext_lazy("nicht übernommen")),
    (ACTION_UPDATE, gettext_lazy("geändert")),
    (ACTION_CREATE, gettext_lazy("neu")),
    (ACTION_UNCHANGED, gettext_lazy("unverändert")),
]


def count_actions(rows):
    """{action: number of rows} of stored preview rows (dicts) or row results (objects with .action)."""
    counts = dict.fromkeys(ACTIONS, 0)
    for row in rows:
        counts[row["action"] if isinstance(row, dict) else row.action] += 1
    return counts


def taken_count(counts):
    return counts.get(ACTION_CREATE, 0) + counts.get(ACTION_UPDATE, 0)


def rows_text(count):
    return ngettext("%(count)d Zeile", "%(count)d Zeilen", count) % {"count": count}


def preview_sentence(counts):
    """"Vorschau: 1 Zeile neu, 2 Zeilen geändert, …, 1 Zeile wird nicht übernommen." with German plurals."""
    rejected = counts.get(ACTION_REJECTED, 0)
    parts = [
        _("%(rows)s neu") % {"rows": rows_text(counts.get(ACTION_CREATE, 0))},
        _("%(rows)s geändert") % {"rows": rows_text(counts.get(ACTION_UPDATE, 0))},
        _("%(rows)s unverändert") % {"rows": rows_text(counts.get(ACTION_UNCHANGED, 0))},
        ngettext("%(rows)s wird nicht übernommen", "%(rows)s werden nicht übernommen", rejected) % {
            "rows": rows_text(rejected)},
    ]
    return _("Vorschau: %(parts)s.") % {"parts": ", ".join(parts)}


def taken_sentence(created_text, counts):
    """What "Übernehmen" did: "3 Maßnahmen angelegt, 1 geändert, 2 Zeilen nicht übernommen."

    `created_text` names the new records in the importer's own noun (with its plural); `counts` is
    {action: number}."""
    updated, rejected = counts.get(ACTION_UPDATE, 0), counts.get(ACTION_REJECTED, 0)
    return " ".join((
        created_text,
        ngettext("%(count)d geändert,", "%(count)d geändert,", updated) % {"count": updated},
        ngettext("%(count)d Zeile nicht übernommen.", "%(count)d Zeilen nicht übernommen.", rejected) % {
            "count": rejected},
    ))


def command_summary(counts, *, dry_run, prefix=""):
    """The import commands' summary line: "1 neu, 2 geändert, 0 unverändert, 1 nicht übernommen (wurden so
    importiert)." (`würden` for a dry run); `prefix` names what was imported into, e.g. the measure number."""
    line = _("%(created)d neu, %(updated)d geändert, %(unchanged)d unverändert, %(rejected)d nicht übernommen "
             "(%(verb)s so importiert).") % {
        "created": counts.get(ACTION_CREATE, 0), "updated": counts.get(ACTION_UPDATE, 0),
        "unchanged": counts.get(ACTION_UNCHANGED, 0), "rejected": counts.get(ACTION_REJECTED, 0),
        "verb": _("würden") if dry_run else _("wurden"),
    }
    return f"{prefix}: {line}" if prefix else line


def row_line(row_number, key, text):
    """One line of a command's report about a row: "Zeile 4 (TN-1): …" ("–" when the row has no key)."""
    return _("Zeile %(row)d (%(key)s): %(text)s") % {"row": row_number, "key": key or "–", "text": text}


def filtered_rows(rows, only):
    """The rows of one action (`only`), or all with the problems first."""
    if only in ACTION_LABELS:
        return [row for row in rows if row["action"] == only]
    return sorted(rows, key=lambda row: (PREVIEW_ORDER.get(row["action"], len(PREVIEW_ORDER)), row["row"]))


def display_rows(rows, header, key_field):
    """Stored preview rows with their key (`row[key_field]`: the ID, the measure number), action label,
    reasons, notes and changes as (header, …) pairs.

    `header(key)` names a column key for the user ("" for a message about the row as a whole that
    needs no heading)."""
    shown = []
    for row in rows:
        shown.append({
            **row,
            "key": row.get(key_field, ""),
            "action_label": ACTION_LABELS.get(row["action"], row["action"]),
            "reasons": [(header(key), message) for key, messages in row.get("errors", {}).items()
                        for message in messages],
            "notes": [(header(key), message) for key, messages in row.get("warnings", {}).items()
                      for message in messages],
            "diff": [(header(key), old, new) for key, (old, new) in row.get("changes", {}).items()],
        })
    return shown
