"""Tests of the maps: boundaries, classes, drawing, deterministic saving and the download."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from shv_analysis.cli import reference as reference_cli
from shv_analysis.config import USER_REFERENCE_DIR
from shv_analysis.ingest import boundaries, download, reference
from shv_analysis.present import map_classes, maps
from shv_analysis.present.style import NOTICE_COLOR
from shv_analysis.text import text

FIXTURES = Path(__file__).parent / "fixtures" / "reference_download"
COS = math.cos(math.radians(52.1))
FAKE = [f"GM900{i}" for i in range(1, 7)]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def ref_dir() -> Path:
    found = reference.find_reference_dir()
    if found is None or not (found / reference.BOUNDARIES_FILE).is_file():
        pytest.skip("no reference folder with boundaries")
    return found


def _square(lon: float, lat: float, size: float = 0.1) -> list[list[float]]:
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def _fake_geojson() -> dict:
    """Six invented municipalities in a row; GM9001 has a hole, GM9006 two parts."""
    feats = []
    for i, code in enumerate(FAKE):
        lon = 5.0 + 0.12 * i
        if code == "GM9001":
            hole = _square(lon + 0.03, 52.03, 0.04)  # counter-clockwise: must be flipped
            geom = {"type": "Polygon", "coordinates": [_square(lon, 52.0), hole]}
        elif code == "GM9006":
            geom = {
                "type": "MultiPolygon",
                "coordinates": [[_square(lon, 52.0)], [_square(lon, 52.15, 0.05)]],
            }
        else:
            geom = {"type": "Polygon", "coordinates": [_square(lon, 52.0)]}
        feats.append(
            {
                "type": "Feature",
                "geometry": geom,
                "properties": {"gemeentecode": code, "gemeentenaam": f"Fictief {i + 1}"},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


@pytest.fixture(scope="module")
def fake_boundaries() -> boundaries.Boundaries:
    return boundaries.Boundaries.from_geojson(_fake_geojson())


@pytest.fixture()
def respondents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_id": ["R1", "R2", "R3", "R4"],
            "respondenttype": ["gemeente", "g4_g40", "samenwerkingsverband", "gemeente"],
            "gemeentecodes": ["GM9001", "gm9002", "GM9002;GM9003; GM9004", "GM9005"],
        }
    )


@pytest.fixture()
def pilots() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pilot_id": ["P1", "P2", "P3", "P4", "P5"],
            "respondent_id": ["R1", "R1", "R3", "R3", "R2"],
            "type": [
                "vroegsignalering",
                "coaching_buddy",
                "educatietool",
                "educatietool",
                "vroegsignalering",
            ],
        }
    )


def _main_collection(fig):
    ax = fig.axes[0]
    (coll,) = [c for c in ax.collections if c.get_gid() == "municipalities"]
    return ax, coll


def _texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [ax.get_title(loc="left")]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    return out


# --------------------------------------------------------------------------- reference


def test_reference_geojson_codes_equal_csv(ref_dir):
    data = json.loads((ref_dir / reference.BOUNDARIES_FILE).read_text(encoding="utf-8"))
    geo_codes = [f["properties"]["gemeentecode"] for f in data["features"]]
    csv_codes = set(pd.read_csv(ref_dir / reference.MUNICIPALITIES_FILE, dtype=str)["gemeentecode"])
    assert len(geo_codes) == len(set(geo_codes)) == 355
    assert set(geo_codes) == csv_codes
    bnd = boundaries.load_boundaries(ref_dir)
    assert set(bnd.codes) == csv_codes
    assert boundaries.load_boundaries(ref_dir) is bnd  # parsed once per process


def test_g4_g40_constants_match_reference(ref_dir):
    munis = pd.read_csv(ref_dir / reference.MUNICIPALITIES_FILE, dtype={"gemeentecode": str})
    assert set(munis.loc[munis["g4"] == 1, "gemeentecode"]) == download.G4_CODES
    assert set(munis.loc[munis["g40"] == 1, "gemeentecode"]) == download.G40_CODES_2018_2022
    assert len(download.G4_CODES) == 4 and len(download.G40_CODES_2018_2022) == 40
    assert download.AMSTELVEEN not in download.g40_codes(
        2022
    ) and download.AMSTELVEEN in download.g40_codes(2023)


# --------------------------------------------------------------------------- classes


def test_coverage_classes(respondents):
    got = map_classes.coverage_classes(respondents, all_codes=FAKE)
    assert list(got.index) == FAKE
    assert got.to_dict() == {
        "GM9001": "Gesproken als gemeente",
        "GM9002": "Gesproken als gemeente",
        "GM9003": "Via samenwerkingsverband",
        "GM9004": "Via samenwerkingsverband",
        "GM9005": "Gesproken als gemeente",
        "GM9006": "Niet bereikt",
    }
    assert list(got.cat.categories) == [
        "Gesproken als gemeente",
        "Via samenwerkingsverband",
        "Niet bereikt",
    ]
    en = map_classes.coverage_classes(respondents, FAKE, lang="en")
    assert en["GM9003"] == "Through a cooperation" and en["GM9006"] == "Not covered"
    assert en["GM9001"] == "Interviewed as municipality"


def test_pilot_classes(respondents, pilots):
    got = map_classes.pilot_classes(respondents, pilots, FAKE)
    assert got.to_dict() == {
        "GM9001": "Eigen pilot",
        "GM9002": "Eigen pilot",
        "GM9003": "Pilot via samenwerkingsverband",
        "GM9004": "Pilot via samenwerkingsverband",
        "GM9005": "Gesproken, geen pilot",
        "GM9006": "Niet bereikt",
    }
    # without R2's own pilot, GM9002 only has its cooperation's pilots
    got = map_classes.pilot_classes(
        respondents, pilots[pilots.respondent_id != "R2"], FAKE, lang="en"
    )
    assert got["GM9002"] == "Pilot through a cooperation"


def test_dominant_type_classes(respondents, pilots):
    got = map_classes.dominant_type_classes(respondents, pilots, FAKE)
    assert got.to_dict() == {
        "GM9001": "Meerdere typen even vaak",  # vroegsignalering 1, coaching 1
        "GM9002": "Educatietool",  # 2 via the cooperation beat 1 of its own
        "GM9003": "Educatietool",
        "GM9004": "Educatietool",
        "GM9005": "Geen pilot",
        "GM9006": "Geen pilot",
    }
    en = map_classes.dominant_type_classes(respondents, pilots, FAKE, lang="en")
    assert en["GM9001"] == "Several types tied" and en["GM9003"] == "Education tool"
    assert en["GM9006"] == "No pilot"
    assert list(got.cat.categories)[-2:] == ["Meerdere typen even vaak", "Geen pilot"]


def test_dominant_type_of_an_extension_code_has_its_label(respondents, pilots):
    # a codebook extension adds the type 'energiecoach' (label Energiecoach / Energy coach)
    from shv_analysis.contract.codebook import Code, any_field

    base = any_field("type")
    extended = dataclasses.replace(
        base, codes=base.codes + (Code("energiecoach", "Energiecoach", "Energy coach"),)
    )
    pilots = pilots.assign(type="energiecoach")
    nl = map_classes.dominant_type_classes(respondents, pilots, FAKE, type_field=extended)
    assert nl["GM9003"] == "Energiecoach" and "energiecoach" not in set(nl)
    en = map_classes.dominant_type_classes(
        respondents, pilots, FAKE, lang="en", type_field=extended
    )
    assert en["GM9003"] == "Energy coach"
    assert "Energiecoach" in list(nl.cat.categories)


# --------------------------------------------------------------------------- drawing


def test_boundaries_projection_and_rings(fake_boundaries):
    bnd = fake_boundaries
    assert bnd.codes == tuple(FAKE)
    xmin, ymin, xmax, ymax = bnd.extents["GM9002"]
    assert xmin == pytest.approx(5.12 * COS) and xmax == pytest.approx(5.22 * COS)
    assert (ymin, ymax) == pytest.approx((52.0, 52.1))
    rings = bnd.paths["GM9001"].to_polygons(closed_only=True)
    signed = [0.5 * np.sum(r[:-1, 0] * r[1:, 1] - r[1:, 0] * r[:-1, 1]) for r in rings]
    assert len(rings) == 2 and signed[0] > 0 > signed[1]  # exterior CCW, hole CW
    assert len(bnd.paths["GM9006"].to_polygons()) == 2


def test_choropleth_patches_per_class_and_legend(fake_boundaries, respondents):
    classes = map_classes.coverage_classes(respondents, FAKE)
    fig = maps.choropleth(classes, title="Dekking", boundaries=fake_boundaries)
    ax, coll = _main_collection(fig)
    colors = maps.default_colors(list(classes.cat.categories))
    faces = [to_hex(c) for c in coll.get_facecolors()]
    assert len(coll.get_paths()) == 6
    assert faces.count(to_hex(colors["Gesproken als gemeente"])) == 3
    assert faces.count(to_hex(colors["Via samenwerkingsverband"])) == 2
    assert faces.count(to_hex(colors["Niet bereikt"])) == 1
    assert len(set(colors.values())) == 3
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        "Gesproken als gemeente (3)",
        "Via samenwerkingsverband (2)",
        "Niet bereikt (1)",
    ]
    # no text on the map names a municipality
    assert not any("Fictief" in t for t in _texts(fig))


def test_choropleth_missing_class_and_order(fake_boundaries):
    classes = {"GM9001": "A", "gm9002": "B", "GM9003": "A", "GM9004": None}
    fig = maps.choropleth(
        classes,
        title="t",
        order=["B", "A", "C"],
        lang="en",
        colors={"A": "#ff0000"},
        boundaries=fake_boundaries,
    )
    ax, coll = _main_collection(fig)
    faces = [to_hex(c) for c in coll.get_facecolors()]
    assert faces.count("#ff0000") == 2
    assert faces.count(to_hex(maps.MISSING_COLOR)) == 3  # GM9004 (None), GM9005, GM9006
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["B (1)", "A (2)", "C (0)", "No data (3)"]


def test_choropleth_texts_synthetic_and_credit(fake_boundaries, respondents):
    classes = map_classes.coverage_classes(respondents, FAKE)
    fig = maps.choropleth(
        classes,
        title="Dekking",
        source_note="Synthetische dataset",
        synthetic=True,
        boundaries=fake_boundaries,
    )
    texts = "\n".join(_texts(fig))
    assert "Bron grenzen: Kadaster / Centraal Bureau voor de Statistiek, 2019" in texts
    assert "Synthetische dataset" in texts and "Dekking" in texts
    (notice,) = [t for t in fig.axes[0].texts if t.get_text().startswith("SYNTHETISCHE DATA:")]
    # the catalogue notice, wrapped to the room beside the map, in the one notice colour
    assert notice.get_text().replace("\n", " ") == text("notice.synthetic", "nl")
    assert notice.get_text().count("\n") >= 3
    assert max(len(line) for line in notice.get_text().split("\n")) <= 36  # 3.1 in at 8.5 pt
    assert to_hex(notice.get_color()) == NOTICE_COLOR.lower()
    assert to_hex(notice.get_bbox_patch().get_edgecolor()) == NOTICE_COLOR.lower()
    fig = maps.choropleth(
        classes, title="Coverage", lang="en", synthetic=True, boundaries=fake_boundaries
    )
    texts = "\n".join(_texts(fig))
    assert "Boundaries: Kadaster / Centraal Bureau voor de Statistiek, 2019" in texts
    assert text("notice.synthetic", "en") in texts.replace("\n", " ")
    assert texts.count("SYNTHETIC DATA:") == 1
    fig = maps.choropleth(classes, title="Coverage", lang="en", boundaries=fake_boundaries)
    assert "SYNTHETIC" not in "\n".join(_texts(fig))


def test_choropleth_subset_zooms_and_counts_subset(fake_boundaries, respondents):
    classes = map_classes.coverage_classes(respondents, FAKE)
    fig = maps.choropleth(
        classes, title="Provincie", subset_codes=["GM9001", "GM9003"], boundaries=fake_boundaries
    )
    ax, coll = _main_collection(fig)
    assert len(coll.get_paths()) == 2
    context = [c for c in ax.collections if c is not coll]
    assert len(context) == 1 and len(context[0].get_paths()) == 4
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Gesproken als gemeente (1)", "Via samenwerkingsverband (1)"]
    x0, x1 = ax.get_xlim()
    sub = fake_boundaries.bbox(["GM9001", "GM9003"])
    assert x0 < sub[0] and x1 > sub[2]
    assert x1 < fake_boundaries.bbox()[2]  # zoomed in: the far municipalities are cut off


def test_choropleth_into_given_axes(fake_boundaries, respondents):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4))
    axes = fig.subplots(1, 2)
    out = maps.choropleth(
        map_classes.coverage_classes(respondents, FAKE),
        title="Links",
        ax=axes[0],
        boundaries=fake_boundaries,
    )
    assert out is fig and axes[0].get_title(loc="left") == "Links"
    assert not axes[1].collections


def test_save_figure_is_byte_identical(fake_boundaries, respondents, tmp_path):
    classes = map_classes.coverage_classes(respondents, FAKE)
    fig = maps.choropleth(classes, title="Dekking", synthetic=True, boundaries=fake_boundaries)
    png1, svg1 = maps.save_figure(fig, tmp_path / "a" / "kaart")
    png2, svg2 = maps.save_figure(fig, tmp_path / "b" / "kaart")
    assert (png1.name, svg1.name) == ("kaart.png", "kaart.svg")
    assert svg1.read_bytes() == svg2.read_bytes()
    assert png1.read_bytes() == png2.read_bytes()
    again = maps.choropleth(classes, title="Dekking", synthetic=True, boundaries=fake_boundaries)
    _, svg3 = maps.save_figure(again, tmp_path / "c" / "kaart")
    assert svg3.read_bytes() == svg1.read_bytes()  # a fresh figure too
    assert b"<dc:date>" not in svg1.read_bytes()
    assert png1.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_national_map_renders(ref_dir, tmp_path):
    bnd = boundaries.load_boundaries(ref_dir)
    codes = list(bnd.codes)
    resp = pd.DataFrame(
        {
            "respondent_id": ["a", "b"],
            "respondenttype": ["g4_g40", "samenwerkingsverband"],
            "gemeentecodes": ["GM0363", ";".join(codes[:20])],
        }
    )
    classes = map_classes.coverage_classes(resp, codes)
    start = time.perf_counter()
    fig = maps.choropleth(classes, title="Dekking", synthetic=True, boundaries=bnd)
    png, svg = maps.save_figure(fig, tmp_path / "nederland")
    elapsed = time.perf_counter() - start
    print(f"\nnational map: draw + save PNG and SVG in {elapsed:.2f} s")
    _, coll = _main_collection(fig)
    assert len(coll.get_paths()) == 355
    assert png.stat().st_size > 10_000 and svg.stat().st_size > 10_000
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [
        "Gesproken als gemeente (1)",
        "Via samenwerkingsverband (20)",
        "Niet bereikt (334)",
    ]


# --------------------------------------------------------------------------- missing reference


def test_missing_reference(tmp_path, monkeypatch):
    with pytest.raises(reference.ReferenceMissing, match="shv reference download"):
        boundaries.load_boundaries(tmp_path)
    monkeypatch.setattr(reference, "candidate_dirs", lambda: [tmp_path / "nothing"])
    assert not boundaries.boundaries_available()
    with pytest.raises(reference.ReferenceMissing):
        maps.choropleth({"GM0363": "x"}, title="t")
    for lang in ("nl", "en"):
        msg = maps.map_unavailable_message(lang)
        assert "shv reference download" in msg and "$SHV_REFERENCE_DIR" in msg
    assert maps.map_unavailable_message("nl").startswith("Kaart niet beschikbaar")
    assert maps.map_unavailable_message("en").startswith("Map not available")


# --------------------------------------------------------------------------- download


def _replay(skip: str | None = None, truncate: str | None = None):
    index = json.loads((FIXTURES / "urls.json").read_text(encoding="utf-8"))
    calls = []

    def fetch(url: str) -> bytes:
        calls.append(url)
        if url not in index or url == skip:
            raise OSError(f"HTTP Error 404: Not Found ({url})")
        body = (FIXTURES / index[url]).read_bytes()
        return body[: len(body) // 2] if url == truncate else body

    fetch.calls = calls
    return fetch


def test_download_writes_three_files(tmp_path):
    target = tmp_path / "data" / "reference"
    fetch = _replay()
    written = download.download_reference(target, year=2019, fetch=fetch, progress=False)
    assert sorted(p.name for p in target.iterdir()) == [
        "gemeente_aliases.csv",
        "gemeenten_2019.csv",
        "gemeenten_2019.geojson",
    ]
    assert {p.name for p in written} == {p.name for p in target.iterdir()}
    assert set(fetch.calls) == set(download.reference_urls(2019).values())
    munis = pd.read_csv(target / "gemeenten_2019.csv", dtype={"gemeentecode": str})
    assert list(munis.columns) == [
        "gemeentecode",
        "gemeentenaam",
        "provincie",
        "inwoners_2019",
        "g4",
        "g40",
    ]
    assert munis.values.tolist() == [
        ["GM9001", "Noorderwaard", "Groningen", 12345, 0, 0],
        ["GM9002", "Zuiderveld", "Groningen", 6789, 0, 0],
        ["GM9003", "Oosterbroek, Ee en Aa", "Drenthe", 1011, 0, 0],
    ]
    assert (target / "gemeente_aliases.csv").read_text() == "alias,gemeentecode\n"
    geo = json.loads((target / "gemeenten_2019.geojson").read_text(encoding="utf-8"))
    assert geo["name"] == "gemeenten_2019"
    assert [f["properties"] for f in geo["features"]] == [
        {"gemeentecode": "GM9001", "gemeentenaam": "Noorderwaard"},
        {"gemeentecode": "GM9002", "gemeentenaam": "Zuiderveld"},
        {"gemeentecode": "GM9003", "gemeentenaam": "Oosterbroek, Ee en Aa"},
    ]  # GM9998 dropped
    first = geo["features"][0]["geometry"]["coordinates"]
    assert first[0][0] == [6.0, 53.0]  # lat/lon answer turned into lon/lat
    assert [f["geometry"]["type"] for f in geo["features"]] == [
        "Polygon",
        "MultiPolygon",
        "Polygon",
    ]

    def signed(ring):
        r = np.asarray(ring)
        return 0.5 * np.sum(r[:-1, 0] * r[1:, 1] - r[1:, 0] * r[:-1, 1])

    assert len(first) == 2 and signed(first[0]) > 0 > signed(first[1])  # RFC 7946 rings
    for polygon in geo["features"][1]["geometry"]["coordinates"]:
        assert signed(polygon[0]) > 0
    # the written folder works as a reference folder
    ref = reference.load_reference(target, required=True)
    assert ref.resolve("Zuiderveld") == "GM9002"
    bnd = boundaries.load_boundaries(target)
    assert bnd.codes == ("GM9001", "GM9002", "GM9003")
    for code in bnd.codes:  # every exterior ring counter-clockwise after the axis swap
        ring = bnd.paths[code].to_polygons()[0]
        assert 0.5 * np.sum(ring[:-1, 0] * ring[1:, 1] - ring[1:, 0] * ring[:-1, 1]) > 0


@pytest.mark.parametrize("role", ["gemeenten", "inwoners", "grenzen"])
@pytest.mark.parametrize("how", ["missing", "truncated"])
def test_download_failure_writes_nothing(tmp_path, role, how):
    url = download.reference_urls(2019)[role]
    target = tmp_path / "reference"
    fetch = _replay(skip=url) if how == "missing" else _replay(truncate=url)
    with pytest.raises(download.DownloadError) as err:
        download.download_reference(target, fetch=fetch, progress=False)
    assert url in str(err.value)
    assert list(tmp_path.iterdir()) == []  # no target folder, no staging folder left


def test_download_failure_keeps_existing_files(tmp_path):
    target = tmp_path / "reference"
    target.mkdir()
    (target / "gemeenten_2019.csv").write_text("old\n")
    url = download.reference_urls(2019)["grenzen"]
    with pytest.raises(download.DownloadError, match="pdok"):
        download.download_reference(target, fetch=_replay(skip=url), progress=False)
    assert [p.name for p in tmp_path.iterdir()] == ["reference"]
    assert [p.name for p in target.iterdir()] == ["gemeenten_2019.csv"]
    assert (target / "gemeenten_2019.csv").read_text() == "old\n"


def test_download_unknown_year():
    with pytest.raises(download.DownloadError, match="1990"):
        download.reference_urls(1990)


def test_cli_reference_download(tmp_path, monkeypatch, capsys):
    parser = argparse.ArgumentParser(prog="shv")
    reference_cli.register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["reference", "download"])
    assert args.year == 2019 and args.dir == USER_REFERENCE_DIR

    target = tmp_path / "ref"
    monkeypatch.setattr(download, "fetch_url", _replay())
    args = parser.parse_args(["reference", "download", "--year", "2019", "--dir", str(target)])
    assert args.func(args) == 0
    assert (target / "gemeenten_2019.geojson").is_file()

    url = download.reference_urls(2019)["inwoners"]
    monkeypatch.setattr(download, "fetch_url", _replay(skip=url))
    other = tmp_path / "other"
    args = parser.parse_args(["reference", "download", "--dir", str(other)])
    assert args.func(args) == 1
    assert url in capsys.readouterr().err
    assert not other.exists()
