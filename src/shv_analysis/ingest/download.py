"""`shv reference download`: the municipality table (CBS open data) and boundaries (PDOK).

The municipality table (code, name, province, inhabitants, G4, G40) and the generalised
boundaries of a year are downloaded and parsed in full, written to a staging folder and only
then moved into the reference folder, so a failed download never leaves half a reference.
G4 and G40 membership is not published by CBS and is kept here as constants.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shv_analysis.config import USER_REFERENCE_DIR
from shv_analysis.ingest import boundaries, reference
from shv_analysis.ingest.boundaries import feature_code, polygons_of, signed_area
from shv_analysis.ingest.reference import parse_code

__all__ = [
    "G4_CODES",
    "G40_CODES_2018_2022",
    "AMSTELVEEN",
    "g40_codes",
    "DownloadError",
    "fetch_url",
    "reference_urls",
    "download_reference",
]


# G4 and G40 membership cannot be had from CBS. Source: ../shared/reference/SOURCES.md
# (columns `g4` and `g40`): the G4 of the grotestedenbeleid, and the G40 stedennetwerk
# as it stood from 1-1-2018 (Assen and Hilversum joined) to 30-6-2022; Amstelveen
# (GM0362) joined on 1-7-2022 as the 41st member.
G4_CODES = frozenset(
    {
        "GM0344",  # Utrecht
        "GM0363",  # Amsterdam
        "GM0518",  # 's-Gravenhage
        "GM0599",  # Rotterdam
    }
)
G40_CODES_2018_2022 = frozenset(
    {
        "GM0014",  # Groningen
        "GM0034",  # Almere
        "GM0080",  # Leeuwarden
        "GM0106",  # Assen
        "GM0114",  # Emmen
        "GM0141",  # Almelo
        "GM0150",  # Deventer
        "GM0153",  # Enschede
        "GM0164",  # Hengelo
        "GM0193",  # Zwolle
        "GM0200",  # Apeldoorn
        "GM0202",  # Arnhem
        "GM0228",  # Ede
        "GM0268",  # Nijmegen
        "GM0307",  # Amersfoort
        "GM0361",  # Alkmaar
        "GM0392",  # Haarlem
        "GM0394",  # Haarlemmermeer
        "GM0402",  # Hilversum
        "GM0405",  # Hoorn
        "GM0479",  # Zaanstad
        "GM0484",  # Alphen aan den Rijn
        "GM0503",  # Delft
        "GM0505",  # Dordrecht
        "GM0513",  # Gouda
        "GM0546",  # Leiden
        "GM0606",  # Schiedam
        "GM0637",  # Zoetermeer
        "GM0758",  # Breda
        "GM0772",  # Eindhoven
        "GM0794",  # Helmond
        "GM0796",  # 's-Hertogenbosch
        "GM0828",  # Oss
        "GM0855",  # Tilburg
        "GM0917",  # Heerlen
        "GM0935",  # Maastricht
        "GM0983",  # Venlo
        "GM0995",  # Lelystad
        "GM1674",  # Roosendaal
        "GM1883",  # Sittard-Geleen
    }
)
AMSTELVEEN = "GM0362"


def g40_codes(year: int) -> frozenset[str]:
    """G40 members on 1 January of `year` (list valid 2018–2022; Amstelveen from 2023)."""
    return G40_CODES_2018_2022 | ({AMSTELVEEN} if year >= 2023 else frozenset())


CBS_ODATA = "https://opendata.cbs.nl/ODataApi/odata"
# CBS "Gebieden in Nederland <year>" (codes, names, province per municipality).
GEBIEDEN_TABLES = {
    2018: "83859NED",
    2019: "84378NED",
    2020: "84721NED",
    2021: "84929NED",
    2022: "85067NED",
    2023: "85385NED",
    2024: "85755NED",
}
# CBS "Kerncijfers wijken en buurten <year>" (inhabitants on 1 January).
KERNCIJFERS_TABLES = {
    2018: "84286NED",
    2019: "84583NED",
    2020: "84799NED",
    2021: "85039NED",
    2022: "85318NED",
    2023: "85618NED",
    2024: "85984NED",
}
# Generalised municipal boundaries from PDOK. The layer that used to be called
# `cbs_gemeente_<year>_gegeneraliseerd` (retired geodata.nationaalgeoregister.nl service)
# is served as `gemeente_gegeneraliseerd` in the per-year CBS gebiedsindelingen service.
PDOK_WFS = (
    "https://service.pdok.nl/cbs/gebiedsindelingen/{year}/wfs/v1_0?service=WFS"
    "&version=2.0.0&request=GetFeature&typeNames=gebiedsindelingen:gemeente_gegeneraliseerd"
    "&outputFormat=json&srsName=EPSG:4326&count=1000"
)
USER_AGENT = "shv-analysis (reference download)"


class DownloadError(RuntimeError):
    """A reference download failed; nothing was written."""


def fetch_url(url: str, timeout: float = 120.0) -> bytes:
    """GET `url` and return the whole body (raises on HTTP errors and short reads)."""
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body = response.read()
        expected = response.headers.get("Content-Length")
        if expected is not None and expected.isdigit() and int(expected) != len(body):
            raise OSError(f"incomplete body: {len(body)} of {expected} bytes")
        return body


def reference_urls(year: int = 2019) -> dict[str, str]:
    """The URLs `shv reference download` reads for `year`, by role."""
    if year not in GEBIEDEN_TABLES:
        known = ", ".join(str(y) for y in sorted(GEBIEDEN_TABLES))
        raise DownloadError(f"no CBS tables known for {year} (known years: {known})")
    return {
        "gemeenten": f"{CBS_ODATA}/{GEBIEDEN_TABLES[year]}/TypedDataSet?$format=json",
        "inwoners": (
            f"{CBS_ODATA}/{KERNCIJFERS_TABLES[year]}/TypedDataSet?$format=json"
            "&$filter=startswith(WijkenEnBuurten,'GM')"
        ),
        "grenzen": PDOK_WFS.format(year=year),
    }


def _get_json(fetch: Callable[[str], bytes], url: str) -> Any:
    try:
        body = fetch(url)
    except Exception as exc:  # noqa: BLE001 - every failure is reported with its URL
        raise DownloadError(f"download failed: {url}: {exc}") from exc
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DownloadError(f"download incomplete or not JSON: {url}: {exc}") from exc


def _get_odata(fetch: Callable[[str], bytes], url: str) -> list[dict]:
    rows: list[dict] = []
    next_url: str | None = url
    while next_url:
        data = _get_json(fetch, next_url)
        if not isinstance(data, dict) or not isinstance(data.get("value"), list):
            raise DownloadError(f"unexpected answer (no OData `value` list): {next_url}")
        rows.extend(data["value"])
        next_url = data.get("odata.nextLink") or data.get("@odata.nextLink")
    return rows


def _parse_gebieden(rows: list[dict], url: str) -> dict[str, tuple[str, str]]:
    """Code -> (name, province) from a 'Gebieden in Nederland' table."""
    munis = [r for r in rows if str(r.get("Code_1") or "").strip().startswith("GM")]
    if not munis:
        raise DownloadError(f"no municipality rows (Code_1 = GMxxxx) in {url}")
    pv_key = None
    for key, value in munis[0].items():
        if key.startswith("Code_") and str(value or "").strip().startswith("PV"):
            pv_key = f"Naam_{int(key.split('_')[1]) + 1}"
            break
    if pv_key is None or pv_key not in munis[0]:
        raise DownloadError(f"no province column (Code_n = PVxx) in {url}")
    out = {}
    for r in munis:
        code = parse_code(str(r["Code_1"]).strip())
        name = str(r.get("Naam_2") or "").strip()
        province = str(r.get(pv_key) or "").strip()
        if code is None or not name or not province:
            raise DownloadError(f"incomplete municipality row {r.get('Code_1')!r} in {url}")
        out[code] = (name, province)
    return out


def _parse_inwoners(rows: list[dict], url: str) -> dict[str, int]:
    """Code -> inhabitants from a 'Kerncijfers wijken en buurten' table."""
    if not rows:
        raise DownloadError(f"no rows in {url}")
    key = next((k for k in rows[0] if k.startswith("AantalInwoners")), None)
    if key is None:
        raise DownloadError(f"no AantalInwoners column in {url}")
    out = {}
    for r in rows:
        code = str(r.get("WijkenEnBuurten") or r.get("Codering_3") or "").strip()
        if code.startswith("GM") and r.get(key) is not None:
            out[code] = int(r[key])
    return out


def _clean_ring(ring: Sequence[Sequence[float]], exterior: bool) -> list[list[float]] | None:
    arr = np.asarray(ring, dtype=float)[:, :2]
    if arr.size and arr[:, 0].max() > 40:  # lat/lon axis order (EPSG:4326 in WFS 2.0)
        arr = arr[:, ::-1]
    arr = np.round(arr, 5)
    keep = np.ones(len(arr), dtype=bool)
    keep[1:] = np.any(arr[1:] != arr[:-1], axis=1)  # drop repeated positions
    arr = arr[keep]
    if len(arr) and not np.array_equal(arr[0], arr[-1]):
        arr = np.vstack([arr, arr[:1]])
    if len(arr) < 4:
        return None
    area = signed_area(arr)
    if area == 0:
        return None
    if (area > 0) != exterior:  # RFC 7946: exteriors counter-clockwise, holes clockwise
        arr = arr[::-1]
    return [[float(f"{x:.5f}"), float(f"{y:.5f}")] for x, y in arr]


def _clean_geometry(geometry: Mapping[str, Any] | None) -> dict | None:
    polygons = []
    for polygon in polygons_of(geometry):
        rings = []
        for i, ring in enumerate(polygon):
            cleaned = _clean_ring(ring, exterior=(i == 0))
            if cleaned is None:
                if i == 0:
                    break
                continue
            rings.append(cleaned)
        if rings:
            polygons.append(rings)
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _parse_boundaries(data: Any, url: str, names: Mapping[str, str], year: int) -> dict:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise DownloadError(f"not a GeoJSON FeatureCollection: {url}")
    features = data.get("features") or []
    matched = data.get("numberMatched")
    if isinstance(matched, int) and matched > len(features):
        raise DownloadError(f"only {len(features)} of {matched} features arrived: {url}")
    geoms: dict[str, dict] = {}
    for feature in features:
        code = feature_code(feature.get("properties") or {})
        if code not in names:  # e.g. GM0998 Buitenland
            continue
        try:
            geom = _clean_geometry(feature.get("geometry"))
        except (ValueError, TypeError, IndexError) as exc:
            raise DownloadError(f"unreadable geometry of {code} in {url}: {exc}") from exc
        if geom is not None:
            geoms[code] = geom
    lacking = sorted(set(names) - set(geoms))
    if lacking:
        raise DownloadError(
            f"no boundary for {len(lacking)} municipalities "
            f"({', '.join(lacking[:5])}{', …' if len(lacking) > 5 else ''}) in {url}"
        )
    return {
        "type": "FeatureCollection",
        "name": f"gemeenten_{year}",
        "features": [
            {
                "type": "Feature",
                "properties": {"gemeentecode": c, "gemeentenaam": names[c]},
                "geometry": geoms[c],
            }
            for c in sorted(geoms)
        ],
    }


def _municipalities_csv(
    munis: Mapping[str, tuple[str, str]], inwoners: Mapping[str, int], year: int
) -> str:
    g40 = g40_codes(year)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["gemeentecode", "gemeentenaam", "provincie", f"inwoners_{year}", "g4", "g40"])
    for code in sorted(munis):
        name, province = munis[code]
        writer.writerow(
            [code, name, province, inwoners[code], int(code in G4_CODES), int(code in g40)]
        )
    return buf.getvalue()


def download_reference(
    target_dir: str | os.PathLike | None = None,
    year: int = 2019,
    fetch: Callable[[str], bytes] | None = None,
    progress: bool = True,
) -> list[Path]:
    """Fetch the reference tables and boundaries of `year` into `target_dir`.

    Writes `gemeenten_<year>.csv`, `gemeente_aliases.csv` (header only: CBS publishes no
    aliases; an existing aliases file is kept) and `gemeenten_<year>.geojson`. Every file
    is downloaded and parsed first and written to a temporary folder; only when all are
    complete are they moved into place. On any failure nothing is written and a
    `DownloadError` names the URL that failed. `fetch(url) -> bytes` is injectable.
    """
    from tqdm import tqdm

    fetch = fetch or fetch_url
    target = Path(target_dir) if target_dir is not None else USER_REFERENCE_DIR
    urls = reference_urls(year)
    with tqdm(
        total=3, desc="shv reference download", unit="file", disable=not progress, file=sys.stderr
    ) as bar:
        bar.set_postfix_str("CBS gemeenten")
        munis = _parse_gebieden(_get_odata(fetch, urls["gemeenten"]), urls["gemeenten"])
        bar.update(1)
        bar.set_postfix_str("CBS inwoners")
        inwoners = _parse_inwoners(_get_odata(fetch, urls["inwoners"]), urls["inwoners"])
        lacking = sorted(set(munis) - set(inwoners))
        if lacking:
            raise DownloadError(
                f"no inhabitants for {', '.join(lacking[:5])}"
                f"{', …' if len(lacking) > 5 else ''} in {urls['inwoners']}"
            )
        bar.update(1)
        bar.set_postfix_str("PDOK grenzen")
        geojson = _parse_boundaries(
            _get_json(fetch, urls["grenzen"]),
            urls["grenzen"],
            {c: n for c, (n, _) in munis.items()},
            year,
        )
        bar.update(1)

    files = {
        f"gemeenten_{year}.csv": _municipalities_csv(munis, inwoners, year),
        f"gemeenten_{year}.geojson": json.dumps(geojson, ensure_ascii=False, separators=(",", ":")),
    }
    if not (target / reference.ALIASES_FILE).is_file():
        files[reference.ALIASES_FILE] = "alias,gemeentecode\n"

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".shv-reference-", dir=target.parent))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8", newline="")
        # read back what was written before anything is moved into place
        check = pd.read_csv(staging / f"gemeenten_{year}.csv", dtype={"gemeentecode": str})
        if len(check) != len(munis):
            raise DownloadError("the written municipality table does not read back whole")
        json.loads((staging / f"gemeenten_{year}.geojson").read_text(encoding="utf-8"))
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for name in files:
            os.replace(staging / name, target / name)
            written.append(target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    boundaries.clear_cache()
    reference.clear_cache()  # a new download must not be shadowed by a cached read
    return [
        target / name
        for name in (f"gemeenten_{year}.csv", reference.ALIASES_FILE, f"gemeenten_{year}.geojson")
    ]
