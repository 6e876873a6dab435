"""The child process that reads an uploaded workbook (run by `reader.read_workbook`, never imported by Django code
except for `normalise`).

Everything a user uploads is hostile until proven otherwise: a 1.5 KB file declaring a sheet
of 16,384 x 1,048,576 cells makes python-calamine allocate half a terabyte and abort its
process. So this program

1. sets hard limits on itself first (address space, CPU time, no files written, no core dump),
2. checks the archive (size, declared inflated size, compression ratio, encryption),
3. makes one streaming pass over the XML of every sheet it will read (expat with DTDs, and so
   entities, forbidden, as defusedxml does): the declared dimension, every cell reference and
   every merged range must lie within the allowed rows and columns; it notes formula cells
   and counts rows, and it stops early once a sheet has more rows than may be read inline,
4. counts the shared strings (a table far larger than the cells that could use it is refused),
5. only then lets python-calamine read the chosen sheet, and sends its rows to the parent as
   JSON lines: strings stripped and deduplicated, control characters replaced and reported
   per cell, merged cells filled inside the data area at a cost proportional to the cells
   filled.

It imports nothing of Django or of the portal, so it starts in a fraction of a second and a
crash here costs only this process. Its only input is a JSON spec (argv[1]); its only output is
JSON lines on stdout: {"scan": ...}, {"rows": [...]}, and last {"done": ...}, {"large": ...} or
{"error": code, "params": {...}}.
"""

import datetime
import json
import re
import sys
import zipfile
from xml.parsers import expat

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls are OLE compound files
EXCEL_MAX_CELL_CHARS = 32_767  # Excel cannot hold a longer text in one cell
SHARED_STRINGS_SLACK = 10_000  # strings used by sheets that are not read (guide, lists)
FLUSH_CHARS = 4_000_000  # one output line holds at most about this many characters of cell text
FLUSH_ROWS = 500
# Control characters a database text cannot hold or a clerk cannot see; tab and line breaks are kept.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
REPLACEMENT = "\ufffd"
DIGITS = "0123456789"
RANGE_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?$")
INFINITIES = (float("inf"), float("-inf"))


def normalise(text):
    """Case- and whitespace-insensitive key: 'Männlich ' and 'männlich' name the same entry."""
    return " ".join(str(text).split()).casefold()


def header_key(text):
    """A header as matched against the template's: normalised, without a trailing '*' for required columns."""
    return normalise(text).rstrip("* ").strip()


def clean_text(text):
    """(text stripped, problem or None): control characters replaced, a text longer than Excel allows cut short."""
    clean, problem = text.strip(), None
    if len(clean) > EXCEL_MAX_CELL_CHARS:
        clean, problem = clean[:200] + "…", "too_long"
    if CONTROL.search(clean):
        clean, problem = CONTROL.sub(REPLACEMENT, clean), "control"
    return clean, problem


class Refused(Exception):
    """The file cannot be read; `code` and `params` let the parent say why in German."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


class Large(Exception):
    """More rows than may be read inside a web request: the parent hands the file to the task worker."""

    def __init__(self, rows):
        super().__init__(rows)
        self.rows = rows


# ---------------------------------------------------------------------------
# Limits on this process
# ---------------------------------------------------------------------------


def limit_self(memory_bytes, cpu_seconds):
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # this process writes no file
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # and leaves no core dump of personal data


# ---------------------------------------------------------------------------
# The archive
# ---------------------------------------------------------------------------


def check_archive(path, spec):
    """Refuse what is not a plain .xlsx, before any XML is read; returns the open ZipFile."""
    with open(path, "rb") as stream:
        head = stream.read(8)
        stream.seek(0, 2)
        size = stream.tell()
    if size == 0:
        raise Refused("empty_file")
    if size > spec["max_file_bytes"]:
        raise Refused("too_big")
    if head == CFB_MAGIC:
        raise Refused("encrypted_or_xls")
    if not head.startswith(b"PK"):
        raise Refused("not_xlsx")
    try:
        archive = zipfile.ZipFile(path)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise Refused("corrupt") from error
    if "xl/workbook.xml" not in archive.NameToInfo:
        raise Refused("not_xlsx")
    if any(member.flag_bits & 0x1 for member in members):
        raise Refused("encrypted")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > spec["ratio_check_from"] and ratio > spec["max_compression_ratio"]:
            raise Refused("bomb")
    if total > spec["max_uncompressed_bytes"]:
        raise Refused("bomb")
    return archive


def safe_parser():
    """An expat parser that refuses any DTD (and so every entity declaration), as defusedxml's forbid_dtd does."""
    parser = expat.ParserCreate()

    def refuse(*_args):
        raise Refused("xml_forbidden")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def parse_member(archive, name, parser):
    """Feed one archive member to `parser` in 1 MiB chunks (never the whole document at once)."""
    try:
        with archive.open(name) as stream:
            while True:
                chunk = stream.read(1024 * 1024)
                if not chunk:
                    break
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise Refused("corrupt") from error
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        raise Refused("corrupt") from error


def local(name):
    return name.rpartition(":")[2]


def sheet_paths(archive):
    """Sheet name -> path of its XML inside the archive, in the workbook's order."""
    sheets, targets = [], {}

    def workbook_start(name, attrs):
        if local(name) == "sheet":
            rel = next((value for key, value in attrs.items() if local(key) == "id" and key != "sheetId"), None)
            sheets.append((attrs.get("name", ""), rel))

    def rels_start(name, attrs):
        if local(name) == "Relationship":
            targets[attrs.get("Id")] = attrs.get("Target", "")

    parser = safe_parser()
    parser.StartElementHandler = workbook_start
    parse_member(archive, "xl/workbook.xml", parser)
    if "xl/_rels/workbook.xml.rels" in archive.NameToInfo:
        parser = safe_parser()
        parser.StartElementHandler = rels_start
        parse_member(archive, "xl/_rels/workbook.xml.rels", parser)
    paths = {}
    for name, rel in sheets:
        target = targets.get(rel, "").lstrip("/")
        paths[name] = target if target.startswith("xl/") else f"xl/{target}"
    return paths


# ---------------------------------------------------------------------------
# The streaming pass over a sheet
# ---------------------------------------------------------------------------


def column_index(letters):
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1


def column_letters(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row, column):
    return f"{column_letters(column)}{row + 1}"


class SheetScan:
    """What one pass over a sheet's XML found: extent, formula cells (a bit mask per row), merged ranges.

    Only cells with content count (a value, an inline string or a formula): python-calamine
    leaves out cells that carry just a format, which Excel writes for every row a clerk
    formatted down to row 1,048,576. The handler runs once per element (about three per
    cell), so the common case is kept to a few string operations.
    """

    def __init__(self, sheet, max_rows, max_columns, inline_max_rows, max_merged):
        self.sheet = sheet
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.inline_max_rows = inline_max_rows
        self.max_merged = max_merged
        self.row = -1
        self.row_text = None  # the current row number as written in the references
        self.row_counted = True
        self.ref = None  # reference of the last cell with one in this row
        self.implicit = 0  # cells without a reference since then
        self.pending = False  # a cell started whose content has not been checked yet
        self.allowed_letters = {column_letters(column) for column in range(max_columns)}
        self.last_row = -1
        self.formulas = {}  # row -> bit mask of columns holding a formula
        self.merged = []  # ((top, left), (bottom, right)), 0-based

    def start(self, name, attrs):
        if name == "c":
            ref = attrs.get("r")
            if ref is None:
                self.implicit += 1
            else:
                self.ref, self.implicit = ref, 0
            self.pending = True
        elif name == "v":
            if self.pending:
                self.check_cell()
        else:
            self.other(local(name), attrs)

    def check_cell(self):
        self.pending = False
        if self.implicit:
            column = self.column()
            if column >= self.max_columns:
                raise Refused("cell_outside", sheet=self.sheet, ref=cell_name(self.row, column))
        else:
            ref = self.ref
            letters = ref.rstrip(DIGITS)
            if ref[len(letters):] != self.row_text:
                self.move_to_row(ref[len(letters):])
            if letters not in self.allowed_letters:
                if letters.isascii() and letters.isalpha() and letters.isupper():
                    self.row_counted = True
                    raise Refused("cell_outside", sheet=self.sheet, ref=ref)
                raise Refused("corrupt")
        if not self.row_counted:
            self.count_row()

    def column(self):
        letters = self.ref.rstrip(DIGITS) if self.ref else ""
        return (column_index(letters) if letters else -1) + self.implicit

    def move_to_row(self, digits):
        if not digits.isdigit() or not digits.isascii() or digits.startswith("0"):
            raise Refused("corrupt")
        self.row, self.row_text, self.row_counted = int(digits) - 1, digits, False

    def count_row(self):
        """The first cell with content in a row: the row must lie inside the limits, and it counts."""
        self.row_counted = True
        if self.row < 0:
            raise Refused("corrupt")
        if self.row >= self.max_rows:
            raise Refused("cell_outside", sheet=self.sheet, ref=cell_name(self.row, max(self.column(), 0)))
        if self.row > self.last_row:
            self.last_row = self.row
            if self.inline_max_rows is not None and self.row > self.inline_max_rows:
                raise Large(self.row)

    def other(self, tag, attrs):
        if tag in ("is", "f", "v", "c"):
            if tag == "c":  # a cell with a namespace prefix
                self.start("c", attrs)
                return
            if self.pending:
                self.check_cell()
            if tag == "f":
                column = self.column()
                if column < 0 or self.row < 0:
                    raise Refused("corrupt")
                self.formulas[self.row] = self.formulas.get(self.row, 0) | (1 << column)
        elif tag == "row":
            ref = attrs.get("r")
            if ref is None:
                self.row, self.row_text, self.row_counted = self.row + 1, str(self.row + 2), False
            else:
                self.move_to_row(ref)
            self.ref, self.implicit, self.pending = None, 0, False
        elif tag == "mergeCell":
            top, left, bottom, right = self.range(attrs.get("ref", ""), "merged_outside")
            self.merged.append(((top, left), (bottom, right)))
            if len(self.merged) > self.max_merged:
                raise Refused("too_many_merged", sheet=self.sheet, count=self.max_merged)
        elif tag == "dimension":
            self.range(attrs.get("ref", ""), "dimension")

    def area(self):
        """Cells the sheet spans: more shared strings than that (plus slack) serve no cell."""
        return (self.last_row + 1) * self.max_columns

    def range(self, ref, code):
        match = RANGE_REF.match(ref.strip())
        if match is None:
            raise Refused("corrupt")
        top, left = int(match.group(2)) - 1, column_index(match.group(1))
        bottom, right = top, left
        if match.group(3):
            bottom, right = int(match.group(4)) - 1, column_index(match.group(3))
        for row, column in ((top, left), (bottom, right)):
            if row < 0:
                raise Refused("corrupt")
            if row >= self.max_rows or column >= self.max_columns:
                raise Refused(code, sheet=self.sheet, ref=ref)
        return min(top, bottom), min(left, right), max(top, bottom), max(left, right)


def scan_sheet(archive, path, sheet, spec, inline_max_rows):
    if path not in archive.NameToInfo:
        raise Refused("corrupt")
    scan = SheetScan(sheet, spec["max_rows"], spec["max_columns"], inline_max_rows, spec["max_merged"])
    parser = safe_parser()
    parser.StartElementHandler = scan.start
    parse_member(archive, path, parser)
    return scan


def count_shared_strings(archive, limit):
    """Refuse a shared-strings table far larger than the cells read (python-calamine loads all of it)."""
    name = "xl/sharedStrings.xml"
    if name not in archive.NameToInfo:
        return 0
    count = 0

    def start(tag, _attrs):
        nonlocal count
        if tag == "si" or tag.endswith(":si"):
            count += 1
            if count > limit:
                raise Refused("too_many_strings", count=limit)

    parser = safe_parser()
    parser.StartElementHandler = start
    parse_member(archive, name, parser)
    return count


# ---------------------------------------------------------------------------
# Reading the rows
# ---------------------------------------------------------------------------


class MergedFill:
    """Fills empty cells of merged ranges from their top-left cell, row by row.

    Per column, the ranges are sorted by their first row and passed with a pointer, so the cost
    is the number of rows times the columns that have merged cells, plus the ranges: never the
    area the ranges declare.
    """

    def __init__(self, ranges, from_row):
        by_column = {}
        self.anchors = {}
        for (top, left), (bottom, right) in ranges:
            self.anchors[(top, left)] = ""
            for column in range(left, right + 1):
                by_column.setdefault(column, []).append((top, bottom, top, left))
        self.columns = {column: sorted(spans) for column, spans in by_column.items()}
        self.pointers = dict.fromkeys(self.columns, 0)
        self.from_row = from_row

    def apply(self, row, cells):
        for column, spans in self.columns.items():
            position = self.pointers[column]
            while position < len(spans) and spans[position][1] < row:
                position += 1
            self.pointers[column] = position
            if position == len(spans):
                continue
            top, _bottom, anchor_row, anchor_column = spans[position]
            if top > row:
                continue
            if (row, column) == (anchor_row, anchor_column):
                if column < len(cells):
                    self.anchors[(anchor_row, anchor_column)] = cells[column]
                continue
            if row <= self.from_row:
                continue
            value = self.anchors.get((anchor_row, anchor_column), "")
            if value == "":
                continue
            if column >= len(cells):
                cells.extend([""] * (column + 1 - len(cells)))
            if cells[column] == "":
                cells[column] = value


class RowWriter:
    """Converts calamine's values to JSON and sends them in bounded lines."""

    def __init__(self, out):
        self.out = out
        self.buffer = []
        self.chars = 0
        self.texts = {}  # original text -> (clean text, problem)

    def clean(self, text):
        known = self.texts.get(text)
        if known is not None:
            return known
        result = clean_text(text)
        if len(self.texts) < 200_000:
            self.texts[text] = result
        return result

    def convert(self, values):
        """(cells, problems, dates) of one row: problems {column: code}, dates [[column, "d" or "dt"]]."""
        cells, problems, dates = [], None, None
        for column, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if value:
                    value, problem = self.clean(value)
                    if problem:
                        problems = problems or {}
                        problems[column] = problem
                    self.chars += len(value)
            elif kind is datetime.datetime:
                dates = dates or []
                dates.append([column, "dt"])
                value = value.isoformat()
            elif kind is datetime.date:
                dates = dates or []
                dates.append([column, "d"])
                value = value.isoformat()
            elif kind is float:
                if value != value or value in INFINITIES:
                    value = ""
            elif kind is not int and kind is not bool:
                value = str(value)  # times and durations: shown as text, refused by the rules
            cells.append(value)
        return cells, problems, dates

    def add(self, row, cells, problems, dates, formulas):
        self.buffer.append([row, cells, problems, dates, formulas])
        if len(self.buffer) >= FLUSH_ROWS or self.chars >= FLUSH_CHARS:
            self.flush()

    def flush(self):
        if self.buffer:
            send(self.out, {"rows": self.buffer})
        self.buffer, self.chars = [], 0


def send(out, message):
    out.write(json.dumps(message, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


def first_row(sheet):
    """The first non-empty row (for choosing the sheet by its header), or None."""
    for values in sheet.iter_rows():
        if any(value != "" for value in values):
            return values
    return None


def read(spec, out):
    """The whole reading, as described in the module docstring."""
    archive = check_archive(spec["path"], spec)
    paths = sheet_paths(archive)
    inline = spec.get("inline_max_rows")
    candidates = [name for name in spec["prefer"] if name in paths] or [
        name for name in paths if name not in spec.get("skip", ())]
    if not candidates:
        raise Refused("no_sheet")
    # Every sheet python-calamine may load is scanned before it opens the file.
    scans = {name: scan_sheet(archive, paths[name], name, spec, inline) for name in candidates}
    extra = spec.get("extra_sheet")
    if extra in paths and extra not in scans:
        scans[extra] = scan_sheet(archive, paths[extra], extra, spec, None)
    count_shared_strings(archive, sum(scan.area() for scan in scans.values()) + SHARED_STRINGS_SLACK)

    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(spec["path"])
    except (CalamineError, OSError, EOFError, ValueError, RuntimeError) as error:
        raise Refused("corrupt") from error
    try:
        target = choose_sheet(workbook, candidates, spec)
        send(out, {"scan": {"sheet": target, "rows": scans[target].last_row + 1}})
        extra_rows = []
        if extra in paths and extra != target:
            writer = RowWriter(out)
            for values in workbook.get_sheet_by_name(extra).to_python(nrows=spec.get("extra_rows", 20)):
                extra_rows.append(writer.convert(values)[0])
        header_row = read_sheet(workbook.get_sheet_by_name(target), scans[target], out)
    except (CalamineError, OSError, EOFError, ValueError, RuntimeError) as error:
        raise Refused("corrupt") from error
    finally:
        workbook.close()
    send(out, {"done": {"sheet": target, "header_row": header_row, "extra": extra_rows}})


def choose_sheet(workbook, candidates, spec):
    """The preferred sheet, or else the first whose first non-empty row names the marker column."""
    marker = spec.get("header_marker")
    if candidates[0] in spec["prefer"] or marker is None:
        return candidates[0]
    for name in candidates:
        header = first_row(workbook.get_sheet_by_name(name)) or []
        if any(isinstance(value, str) and header_key(value) == marker for value in header):
            return name
    raise Refused("no_sheet")


def read_sheet(sheet, scan, out):
    """Send the sheet's rows (absolute row and column indexes, empty rows left out); returns the header's row."""
    if sheet.start is None:
        return None
    column_offset = sheet.start[1]
    writer = RowWriter(out)
    header_row = None
    fill = None
    for row, values in enumerate(sheet.iter_rows()):
        cells, problems, dates = writer.convert(values)
        if column_offset:
            cells = [""] * column_offset + cells
            problems = problems and {column + column_offset: code for column, code in problems.items()}
            dates = dates and [[column + column_offset, kind] for column, kind in dates]
        if header_row is None and any(value != "" for value in cells):
            header_row = row
            fill = MergedFill(scan.merged, header_row) if scan.merged else None
        if fill is not None:
            fill.apply(row, cells)
        while cells and cells[-1] == "":
            cells.pop()
        formulas = scan.formulas.get(row, 0)
        if formulas:
            # A formula whose stored result is empty: calamine returns "", Excel shows a value.
            formulas = [column for column in range(scan.max_columns)
                        if formulas >> column & 1 and (column >= len(cells) or cells[column] == "")]
        if cells or formulas:
            writer.add(row, cells, problems, dates, formulas or None)
    # Rows after the last one with a value may still hold formulas without a value (calamine leaves them out).
    last = (sheet.end[0] if sheet.end else -1)
    for row in sorted(row for row in scan.formulas if row > last):
        formulas = [column for column in range(scan.max_columns) if scan.formulas[row] >> column & 1]
        writer.add(row, [], None, None, formulas)
    writer.flush()
    return header_row


def main():
    spec = json.loads(sys.argv[1])
    limit_self(spec["memory_bytes"], spec["cpu_seconds"])
    out = sys.stdout
    try:
        read(spec, out)
    except Refused as refusal:
        send(out, {"error": refusal.code, "params": refusal.params})
    except Large as large:
        send(out, {"large": large.rows})
    except MemoryError:
        send(out, {"error": "limit", "params": {}})
    except RecursionError:
        send(out, {"error": "corrupt", "params": {}})
    out.flush()


if __name__ == "__main__":
    main()
