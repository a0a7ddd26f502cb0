"""Reading and validating the framework files: nothing is written here.

`parse()` reads every CSV in the data folder, checks it row by row and returns a
plan (or raises `FrameworkFileError` with every problem as file:line), so a
malformed set of files never reaches the database.
"""

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from indicators.models import (
    FrameworkStatus,
    Level,
)

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
TRANSLATED = ("fr", "es", "ar")

GCM_COLUMNS = ["number", "title", "title_fr", "title_es", "title_ar"]
SDG_COLUMNS = ["code", "name", "name_fr", "name_es", "name_ar"]
FRAMEWORK_COLUMNS = [
    "slug",
    "name",
    "level",
    "version",
    "year",
    "status",
    "previous",
    "file",
    "wording_note",
    "name_fr",
    "name_es",
    "name_ar",
    "wording_note_fr",
    "wording_note_es",
    "wording_note_ar",
]
DIMENSION_COLUMNS = [
    "level",
    "code",
    "short_name",
    "long_name",
    "migof_element",
    "description",
    "short_name_fr",
    "short_name_es",
    "short_name_ar",
    "description_fr",
    "description_es",
    "description_ar",
    "long_name_fr",
    "long_name_es",
    "long_name_ar",
    "migof_element_fr",
    "migof_element_es",
    "migof_element_ar",
]
INDICATOR_COLUMNS = [
    "dimension",
    "area_code",
    "area_name",
    "area_name_fr",
    "area_name_es",
    "area_name_ar",
    "code",
    "question",
    "guidance",
    "question_fr",
    "question_es",
    "question_ar",
    "guidance_fr",
    "guidance_es",
    "guidance_ar",
    "gcm_objectives",
    "sdg_domains",
    "equivalent_code",
]


class FrameworkFileError(Exception):
    """The framework files are malformed; `errors` lists each problem as file:line."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class SyncReport:
    """What a sync created, updated, retired and left unchanged, per kind of object."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    retired: Counter = field(default_factory=Counter)
    #: Framework pk -> codes of its indicators added, changed or retired. A framework
    #: whose own, dimension or area text changed is here too, perhaps with no codes.
    changed: dict[int, set[str]] = field(default_factory=dict)

    def changes(self) -> int:
        """How many rows were created, updated or retired so far."""
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.retired.values())

    def lines(self) -> list[str]:
        """Human-readable summary, one line per kind of object."""
        kinds = ["gcm objective", "sdg domain", "framework", "dimension", "area", "indicator"]
        return [
            f"{kind}s: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged, {self.retired[kind]} retired"
            for kind in kinds
        ]


@dataclass
class _Rows:
    """Parsed rows of one CSV file with their line numbers."""

    path: Path
    rows: list[tuple[int, dict[str, str]]]


def _read(path: Path, columns: list[str], errors: list[str]) -> _Rows:
    """Read a CSV with exactly `columns`; record problems in `errors`."""
    name = path.name
    if not path.exists():
        errors.append(f"{name}: file not found")
        return _Rows(path, [])
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, strict=True)
            header = reader.fieldnames or []
            missing = [c for c in columns if c not in header]
            extra = [c for c in header if c not in columns]
            if missing or extra:
                if missing:
                    errors.append(f"{name}:1: missing column(s): {', '.join(missing)}")
                if extra:
                    errors.append(f"{name}:1: unknown column(s): {', '.join(extra)}")
                return _Rows(path, [])
            rows = []
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    errors.append(f"{name}:{reader.line_num}: wrong number of fields")
                    continue
                rows.append((reader.line_num, {k: v.strip() for k, v in row.items()}))
            return _Rows(path, rows)
    except (UnicodeDecodeError, csv.Error) as exc:
        errors.append(f"{name}: cannot be read as UTF-8 CSV ({exc})")
        return _Rows(path, [])


def _int(value: str, *, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


def _numbers(value: str, *, low: int, high: int) -> list[int] | None:
    """Parse `1;15;23` into numbers within [low, high]; None if any is invalid."""
    if not value:
        return []
    parts = [_int(p.strip(), low=low, high=high) for p in value.split(";")]
    return None if None in parts else sorted(set(parts))


def _translations(row: dict[str, str], fields: dict[str, str]) -> dict[str, dict[str, str]]:
    """Build the `i18n` value from `<column>_<lang>` columns; empty cells are skipped."""
    result: dict[str, dict[str, str]] = {}
    for lang in TRANSLATED:
        texts = {
            target: row[f"{column}_{lang}"]
            for column, target in fields.items()
            if row.get(f"{column}_{lang}")
        }
        if texts:
            result[lang] = texts
    return result


@dataclass
class _Plan:
    """Everything validated and ready to write."""

    gcm: list[dict]
    sdg: list[dict]
    frameworks: list[dict]
    dimensions: dict[str, list[dict]]  # by level
    indicators: dict[str, list[dict]]  # by framework slug


def parse(data_dir: Path = DATA_DIR) -> _Plan:
    """Validate every framework file; raise FrameworkFileError listing all problems."""
    errors: list[str] = []
    gcm_rows = _read(data_dir / "gcm_objectives.csv", GCM_COLUMNS, errors)
    sdg_rows = _read(data_dir / "sdg_domains.csv", SDG_COLUMNS, errors)
    fw_rows = _read(data_dir / "frameworks.csv", FRAMEWORK_COLUMNS, errors)
    dim_rows = _read(data_dir / "dimensions.csv", DIMENSION_COLUMNS, errors)

    gcm = []
    for line, row in gcm_rows.rows:
        number = _int(row["number"], low=1, high=23)
        if number is None or not row["title"]:
            errors.append(f"gcm_objectives.csv:{line}: needs a number 1-23 and a title")
            continue
        gcm.append(
            {
                "number": number,
                "title": row["title"],
                "i18n": _translations(row, {"title": "title"}),
            }
        )
    _duplicates(gcm, "number", "gcm_objectives.csv", gcm_rows, errors)

    sdg = []
    for line, row in sdg_rows.rows:
        code = _int(row["code"], low=1, high=6)
        if code is None or not row["name"]:
            errors.append(f"sdg_domains.csv:{line}: needs a code 1-6 and a name")
            continue
        sdg.append(
            {"code": code, "name": row["name"], "i18n": _translations(row, {"name": "name"})}
        )
    _duplicates(sdg, "code", "sdg_domains.csv", sdg_rows, errors)

    dimensions: dict[str, list[dict]] = defaultdict(list)
    for line, row in dim_rows.rows:
        code = _int(row["code"], low=1, high=6)
        if row["level"] not in Level.values:
            errors.append(f"dimensions.csv:{line}: unknown level {row['level']!r}")
            continue
        if code is None:
            errors.append(f"dimensions.csv:{line}: unknown dimension {row['code']!r} (use 1-6)")
            continue
        if not row["short_name"] or not row["long_name"] or not row["migof_element"]:
            errors.append(
                f"dimensions.csv:{line}: short_name, long_name and migof_element are required"
            )
            continue
        if any(d["code"] == code for d in dimensions[row["level"]]):
            errors.append(f"dimensions.csv:{line}: duplicate dimension {code} for {row['level']}")
            continue
        dimensions[row["level"]].append(
            {
                "code": code,
                "short_name": row["short_name"],
                "long_name": row["long_name"],
                "migof_element": row["migof_element"],
                "description": row["description"],
                "i18n": _translations(
                    row,
                    {
                        "short_name": "short_name",
                        "long_name": "long_name",
                        "migof_element": "migof_element",
                        "description": "description",
                    },
                ),
            }
        )

    frameworks: list[dict] = []
    indicators: dict[str, list[dict]] = {}
    slugs = {row["slug"] for _, row in fw_rows.rows}
    for line, row in fw_rows.rows:
        problems = []
        if not row["slug"] or not row["name"] or not row["version"]:
            problems.append("slug, name and version are required")
        if row["level"] not in Level.values:
            problems.append(f"unknown level {row['level']!r}")
        if row["status"] not in FrameworkStatus.values:
            problems.append(f"unknown status {row['status']!r}")
        year = _int(row["year"], low=2000, high=2100)
        if year is None:
            problems.append(f"invalid year {row['year']!r}")
        if row["previous"] and row["previous"] not in slugs:
            problems.append(f"previous framework {row['previous']!r} is not in frameworks.csv")
        if any(f["slug"] == row["slug"] for f in frameworks):
            problems.append(f"duplicate framework {row['slug']!r}")
        if problems:
            errors.extend(f"frameworks.csv:{line}: {p}" for p in problems)
            continue
        frameworks.append(
            {
                **row,
                "year": year,
                "i18n": _translations(row, {"name": "name", "wording_note": "wording_note"}),
            }
        )
        if len(dimensions.get(row["level"], [])) != 6:
            errors.append(f"dimensions.csv: level {row['level']!r} needs dimensions 1 to 6")
        indicators[row["slug"]] = _parse_indicators(data_dir / "frameworks" / row["file"], errors)

    # Equivalents must name an indicator of the previous framework version.
    for fw in frameworks:
        previous_codes = {i["code"] for i in indicators.get(fw["previous"], [])}
        for item in indicators.get(fw["slug"], []):
            if item["equivalent_code"] and item["equivalent_code"] not in previous_codes:
                errors.append(
                    f"{fw['file']}:{item['line']}: equivalent_code {item['equivalent_code']!r} "
                    f"is not an indicator of {fw['previous'] or 'a previous version'}"
                )
    if errors:
        raise FrameworkFileError(errors)
    return _Plan(gcm, sdg, frameworks, dict(dimensions), indicators)


def _duplicates(items: list[dict], key: str, name: str, rows: _Rows, errors: list[str]) -> None:
    counts = Counter(item[key] for item in items)
    for value, count in counts.items():
        if count > 1:
            errors.append(f"{name}: duplicate {key} {value}")


def _parse_indicators(path: Path, errors: list[str]) -> list[dict]:
    """Parse one framework's indicator file."""
    name = path.name
    parsed = _read(path, INDICATOR_COLUMNS, errors)
    seen_codes: dict[str, int] = {}
    area_names: dict[str, tuple[int, str]] = {}
    items = []
    for line, row in parsed.rows:
        problems = []
        dimension = _int(row["dimension"], low=1, high=6)
        if dimension is None:
            problems.append(f"unknown dimension {row['dimension']!r} (use 1-6)")
        if not row["code"]:
            problems.append("code is required")
        elif row["code"] in seen_codes:
            problems.append(
                f"duplicate code {row['code']!r} (first on line {seen_codes[row['code']]})"
            )
        if not row["question"]:
            problems.append("question is required")
        if not row["area_code"] or not row["area_name"]:
            problems.append("area_code and area_name are required")
        elif row["area_code"] in area_names and area_names[row["area_code"]] != (
            dimension,
            row["area_name"],
        ):
            problems.append(f"area {row['area_code']!r} is named or placed differently above")
        gcm = _numbers(row["gcm_objectives"], low=1, high=23)
        if gcm is None:
            problems.append(
                f"gcm_objectives {row['gcm_objectives']!r}: use numbers 1-23 separated by ';'"
            )
        sdg = _numbers(row["sdg_domains"], low=1, high=6)
        if sdg is None:
            problems.append(f"sdg_domains {row['sdg_domains']!r}: use codes 1-6 separated by ';'")
        if problems:
            errors.extend(f"{name}:{line}: {p}" for p in problems)
            continue
        seen_codes[row["code"]] = line
        area_names.setdefault(row["area_code"], (dimension, row["area_name"]))
        items.append(
            {
                "line": line,
                "dimension": dimension,
                "area_code": row["area_code"],
                "area_name": row["area_name"],
                "area_i18n": _translations(row, {"area_name": "name"}),
                "code": row["code"],
                "question": row["question"],
                "guidance": row["guidance"],
                "i18n": _translations(row, {"question": "question", "guidance": "guidance"}),
                "gcm": gcm,
                "sdg": sdg,
                "equivalent_code": row["equivalent_code"],
            }
        )
    if not items and not any(e.startswith(name) for e in errors):
        errors.append(f"{name}: has no indicators")
    return items
