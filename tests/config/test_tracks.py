"""checklists/tracks.yaml: what differs by track is data, validated by its model, each fact
with its source; the checks across fields meet odd shapes without crashing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from img_dossier.config import tracks
from img_dossier.config.checklist import load
from img_dossier.config.profile import parse_profile
from img_dossier.config.yamlfile import read_yaml
from img_dossier.errors import BadInputError
from img_dossier.programs.load import validate_programs
from img_dossier.starter import render


def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = read_yaml(tracks._path())
    return data


def test_the_shipped_tracks_file_fits_its_model_and_names_a_source_for_each_fact() -> None:
    model = tracks.TracksFile.model_validate(_shipped())
    for track in model.tracks:
        for fact in ("checklist", "statuses", "home_countries", "systems", "criteria"):
            if getattr(track, fact):
                assert "https://" in track.sources[fact], (track.id, fact)
    for status in model.statuses:
        assert "https://" in status.source, status.id
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(_shipped(), tracks.tracks_json_schema())  # `dossier schema tracks`


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda d: d["tracks"][0]["sources"].pop("statuses"), "missing the source of statuses"),
        (lambda d: d["tracks"][1]["statuses"].append("tourist"), "not under statuses"),
        (lambda d: d["tracks"][1]["systems"].append("eras"), "more than one track"),
        (lambda d: d.update(default_init="mars"), "default_init: not a track id"),
        (lambda d: d["tracks"].append(dict(d["tracks"][0])), "a track id is listed twice"),
        (lambda d: d["tracks"][0]["init"]["training"].append({}), "give either key"),
    ],
)
def test_a_wrong_tracks_file_is_refused_by_its_model(change: Any, said: str) -> None:
    data = _shipped()
    change(data)
    with pytest.raises(ValidationError, match=said):
        tracks.TracksFile.model_validate(data)


def test_a_checklist_of_a_track_of_its_own_takes_every_status_and_the_default_init(
    tmp_path: Path,
) -> None:
    custom = tmp_path / "mars.yaml"
    custom.write_text("extends: canada-carms\ntrack: mars\n", encoding="utf-8")
    checklist = load(str(custom))
    assert checklist.track == "mars" and tracks.track("mars") is None
    assert tracks.statuses_of("mars") == tracks.statuses()
    parse_profile({"track": str(custom), "applicant": {"status": "none"}})  # no track check
    text = render(checklist, "mars.yaml")
    default = tracks.for_init("mars")
    assert default.id == tracks.tracks_file().default_init
    assert default.init.status in text
    assert f"as your {default.init.exam_record} lists them" in text


def test_each_track_loads_its_checklist_and_init_writes_its_own_keys() -> None:
    for track in tracks.tracks():
        checklist = load(track.id)
        text = render(checklist, track.id)
        assert f"track: {track.id}" in text
        assert track.init.status in text
        for line in (*track.init.training, *track.init.top):
            assert (line.key or line.text or "") in text
        others = [t for t in tracks.tracks() if t.id != track.id]
        for other in others:
            for line in other.init.top:
                if line.key not in {x.key for x in track.init.top}:
                    assert f"\n{line.key}:" not in text


ODD: list[Any] = [
    {"items": "x"},
    {"items": [1, [2], {"id": ["a"]}, {"id": "a", "portal": 5, "rules": "r"}]},
    {"items": [{"id": "a", "rules": [1, {"type": "portal-file", "portal": ["p"]}]}]},
    {"portals": [1], "items": [{"id": "a", "portal": "p"}]},
    {"steps": {"id": "s"}, "notices": [None, {"id": None}]},
]


@pytest.mark.parametrize("extra", ODD)
def test_checks_across_fields_meet_odd_checklist_shapes_with_a_message(
    tmp_path: Path, extra: dict[str, Any]
) -> None:
    import yaml

    path = tmp_path / "odd.yaml"
    data = {"schema": 1, "id": "odd", "title": "O", "version": "1", "track": "us", **extra}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(BadInputError):
        load(str(path))


@pytest.mark.parametrize(
    "data",
    [
        {"track": "canada", "applicant": "x", "files": ["a"]},
        {"track": ["canada"], "applicant": {"status": ["none"]}, "files": {"a": 5}},
        {"track": "canada", "applicant": {"status": 7}, "exams": ["x"]},
    ],
)
def test_checks_across_fields_meet_odd_dossier_shapes_with_a_message(data: Any) -> None:
    with pytest.raises(BadInputError):
        parse_profile(data, item_ids=lambda: {"passport"})


@pytest.mark.parametrize(
    "data",
    [
        {"programs": [1, {"id": ["x"]}, {"id": " P "}, {"id": "P"}]},
        {"programs": "x"},
        {"programs": [{"id": "P", "system": "mars"}, {"id": "P", "system": "eras"}]},
    ],
)
def test_checks_across_fields_meet_odd_program_lists_with_a_message(data: Any) -> None:
    with pytest.raises(BadInputError):
        validate_programs(data, name="list.yaml")


def test_an_exam_of_a_track_that_is_not_in_tracks_yaml_is_refused() -> None:
    from img_dossier.config.exams import ExamsFile, _path

    data = read_yaml(_path())
    ExamsFile.model_validate(data)
    data["exams"][0]["track"] = "mars"
    with pytest.raises(ValidationError, match=r"mars is not a track of tracks\.yaml"):
        ExamsFile.model_validate(data)
