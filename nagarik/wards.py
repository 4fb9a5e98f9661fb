"""The city's wards: who the councillor is, where the ward office is, and which localities belong.

Read from the wards file (`NAGARIK_WARDS_FILE`, default `city/sample-wards.yml`,
sample data), validated with errors that name the ward and the field. A ward
is found from its number (digits or words in any of the three languages) or
from a locality name typed in any script, misspelt a little, or from a
location pin inside the ward's boundary (optional GeoJSON Polygon or
MultiPolygon, [longitude, latitude] as GeoJSON orders them); an unknown name
gets the closest suggestions.

`nagarik city load` validates the file and stores the wards in the database,
which is what the assistant answers from (`nagarik.db.wards`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from rapidfuzz.fuzz import ratio

from nagarik.answers import plain_words, ward_answer
from nagarik.language import LANGUAGES
from nagarik.settings import REPO_ROOT, ConfigError, city_file, read_city_file

DEFAULT_WARDS_FILE = REPO_ROOT / "city" / "sample-wards.yml"
RECORD_FIELDS = ("number", "name", "councillor", "office", "committee", "localities", "boundary")
# How alike a typed name and a known one must be to count as the same place (0..1).
MATCH = 0.82
SUGGEST = 0.5


@dataclass(frozen=True)
class Ward:
    number: int
    name: Mapping[str, str]
    councillor: Mapping[str, str]
    office_address: Mapping[str, str]
    office_phone: str
    committee: Tuple[Mapping[str, str], ...]
    localities: Tuple[Mapping[str, str], ...]
    boundary: Optional[Mapping[str, Any]] = None  # GeoJSON geometry

    def as_record(self) -> Dict[str, Any]:  # keys: RECORD_FIELDS
        """The ward as plain data: what `wards show --json` prints and the database keeps."""
        return {
            "number": self.number,
            "name": dict(self.name),
            "councillor": dict(self.councillor),
            "office": {"address": dict(self.office_address), "phone": self.office_phone},
            "committee": [dict(member) for member in self.committee],
            "localities": [dict(locality) for locality in self.localities],
            "boundary": self.boundary,
        }


@dataclass(frozen=True)
class WardMatch:
    ward: Optional[Ward]
    suggestions: Tuple[Ward, ...] = ()


def _names(value: Any, where: str) -> Dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) and value[lang].strip() for lang in LANGUAGES):
        raise ConfigError(f"{where} needs a text in each of {', '.join(LANGUAGES)}")
    return {lang: value[lang].strip() for lang in LANGUAGES}


def _position(value: Any, where: str) -> Tuple[float, float]:
    ok = isinstance(value, (list, tuple)) and len(value) in (2, 3)
    ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    if not ok or not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90):
        raise ConfigError(f"{where}: positions are [longitude, latitude] numbers, got {value!r}")
    return float(value[0]), float(value[1])


def _polygon(rings: Any, where: str) -> List[List[Tuple[float, float]]]:
    if not isinstance(rings, list) or not rings:
        raise ConfigError(f"{where}: a polygon is a list of rings")
    parsed = []
    for ring in rings:
        points = [_position(p, where) for p in ring] if isinstance(ring, list) else []
        if len(points) < 4 or points[0] != points[-1]:
            raise ConfigError(f"{where}: each ring needs at least 4 positions, the last equal to the first")
        parsed.append(points)
    return parsed


def polygons(boundary: Optional[Mapping[str, Any]], where: str = "boundary") -> List[List[List[Tuple[float, float]]]]:
    """The polygons of a GeoJSON Polygon or MultiPolygon (or of a Feature holding one)."""
    if boundary is None:
        return []
    if isinstance(boundary, Mapping) and boundary.get("type") == "Feature":
        return polygons(boundary.get("geometry"), where)
    kind = boundary.get("type") if isinstance(boundary, Mapping) else None
    coordinates = boundary.get("coordinates") if isinstance(boundary, Mapping) else None
    if kind == "Polygon":
        return [_polygon(coordinates, where)]
    if kind == "MultiPolygon" and isinstance(coordinates, list) and coordinates:
        return [_polygon(rings, where) for rings in coordinates]
    raise ConfigError(f"{where} must be a GeoJSON Polygon or MultiPolygon")


def _inside_ring(ring: Sequence[Tuple[float, float]], x: float, y: float) -> bool:
    """Ray casting: a point is inside when a ray from it crosses the ring's edges an odd number of times."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(boundary: Optional[Mapping[str, Any]], latitude: float, longitude: float) -> bool:
    """Whether the point lies in the boundary (inside the outer ring of a polygon and outside its holes)."""
    for outer, *holes in polygons(boundary):
        if _inside_ring(outer, longitude, latitude) and not any(_inside_ring(h, longitude, latitude) for h in holes):
            return True
    return False


def ward_at(wards: Sequence[Ward], latitude: float, longitude: float) -> Optional[Ward]:
    """The ward whose boundary holds a location pin; None outside them all (or without boundaries)."""
    return next((ward for ward in wards if contains(ward.boundary, latitude, longitude)), None)


def parse_wards(raw: Mapping[str, Any]) -> Tuple[Ward, ...]:
    """Wards from a parsed wards file; ConfigError naming the ward and field when something is wrong."""
    entries = raw.get("wards")
    if not isinstance(entries, list) or not entries:
        raise ConfigError("the wards file needs a non-empty list 'wards'")
    wards: List[Ward] = []
    seen_localities: Dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        number = entry.get("number") if isinstance(entry, dict) else None
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ConfigError(f"ward entry {index}: 'number' must be a whole number from 1")
        where = f"ward {number}"
        if any(w.number == number for w in wards):
            raise ConfigError(f"{where} is listed twice")
        office = entry.get("office") or {}
        phone = str(office.get("phone") or "").strip()
        if not phone:
            raise ConfigError(f"{where} office phone is missing")
        localities = tuple(_names(l, f"{where} locality") for l in entry.get("localities") or [])
        for locality in localities:
            for text in locality.values():
                key = _fold(text)
                if key in seen_localities and seen_localities[key] != number:
                    raise ConfigError(f"{where}: locality {text!r} is already in ward {seen_localities[key]}")
                seen_localities[key] = number
        wards.append(
            Ward(
                number=number,
                name=_names(entry.get("name"), f"{where} name"),
                councillor=_names(entry.get("councillor"), f"{where} councillor"),
                office_address=_names(office.get("address"), f"{where} office address"),
                office_phone=phone,
                committee=tuple(_names(m, f"{where} committee member") for m in entry.get("committee") or []),
                localities=localities,
                boundary=_boundary(entry.get("boundary"), where),
            )
        )
    return tuple(sorted(wards, key=lambda w: w.number))


def _boundary(value: Any, where: str) -> Optional[Mapping[str, Any]]:
    polygons(value, f"{where} boundary")  # raises ConfigError when it is not usable
    return value


def ward_from_record(record: Mapping[str, Any]) -> Ward:
    """The inverse of Ward.as_record (records come from the database, written after validation)."""
    office = record["office"]
    return Ward(
        number=int(record["number"]),
        name=record["name"],
        councillor=record["councillor"],
        office_address=office["address"],
        office_phone=office["phone"],
        committee=tuple(record.get("committee") or ()),
        localities=tuple(record.get("localities") or ()),
        boundary=record.get("boundary"),
    )


def wards_file(city: Optional[Path] = None) -> Path:
    """NAGARIK_WARDS_FILE, else the city file's `wards_file` (relative to it), else the sample wards.

    `city` defaults to the configured city file (NAGARIK_CITY_FILE or the sample).
    """
    if os.environ.get("NAGARIK_WARDS_FILE"):
        return Path(os.environ["NAGARIK_WARDS_FILE"])
    city = city or city_file()
    named = read_city_file(city).get("wards_file") if city.exists() else None
    return city.parent / str(named) if named else DEFAULT_WARDS_FILE


@lru_cache(maxsize=1)
def city_wards() -> Tuple[Ward, ...]:
    """The wards file's wards, read once per process (what `nagarik city load` stores by default)."""
    path = wards_file()
    try:
        return parse_wards(read_city_file(path))
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from error


def _fold(text: str) -> str:
    """Lower case, no punctuation, no spaces: 'Kali Bari Para' and 'kalibari para' meet."""
    return plain_words(text).replace(" ", "")


def _similarity(a: str, b: str) -> float:
    """0..1, by edit distance (rapidfuzz: maintained, and fast enough to score every locality per message)."""
    return ratio(a, b) / 100 if a and b else 0.0


def _scored(wards: Sequence[Ward], text: str) -> List[Tuple[float, Ward]]:
    typed = _fold(text)
    best: Dict[int, Tuple[float, Ward]] = {}
    for ward in wards:
        for names in (ward.name, *ward.localities):
            for known in names.values():
                folded = _fold(known)
                score = 1.0 if folded and folded in typed and len(folded) >= 4 else _similarity(typed, folded)
                if score > best.get(ward.number, (0.0, ward))[0]:
                    best[ward.number] = (score, ward)
    return sorted(best.values(), key=lambda pair: -pair[0])


def find_ward(wards: Sequence[Ward], text: str) -> WardMatch:
    """The ward a citizen means by a number ('12', 'बारह') or a place name in any script."""
    number = ward_answer(text)
    if number is not None:
        # A number that is not a ward suggests nothing: the answer lists the range instead.
        return WardMatch(ward_by_number(wards, number))
    scored = _scored(wards, text)
    if scored and scored[0][0] >= MATCH:
        return WardMatch(scored[0][1])
    return WardMatch(None, tuple(ward for score, ward in scored[:3] if score >= SUGGEST))


def ward_by_number(wards: Sequence[Ward], number: Any) -> Optional[Ward]:
    """The ward with this number (int or digits), if there is one."""
    return next((w for w in wards if str(w.number) == str(number).strip()), None)
