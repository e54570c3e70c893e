"""Recipes read back (workspace/recipe.py) without a studio: what is refused and in which words,
and where a recipe's files may be found — the caller's own job and characters, never another
owner's file and never a path the recipe names."""

from __future__ import annotations

import json

import pytest

from r2v_ui.characters import CharacterDraft, CharacterLibrary
from r2v_ui.jobs.hub import Live
from r2v_ui.jobs.snapshots import to_snapshot
from r2v_ui.messages import render_msg
from r2v_ui.workspace import recipe
from tests.fixtures_share import finished_job


@pytest.fixture
def store(manager):
    return manager.store


def _recipe(store, job_id="j1", owner="ann") -> dict:
    rec = finished_job(store, job_id, owner=owner)
    return recipe.recipe_for(to_snapshot(store.get(rec.job_id), Live(), store))


def _said(exc_info, lang="en") -> str:
    return render_msg(exc_info.value.msg, lang)


def test_the_owners_recipe_finds_its_kept_files(store, tmp_path):
    doc = _recipe(store)
    draft = recipe.finder_for(store, store.data_dir, "ann").draft(json.dumps(doc))
    assert [r.character for r in draft.references] == ["Ada", "Bo"]
    assert [r.path.name.split(".")[0] for r in draft.references] == [c["sha256"] for c in doc["cast"]]
    assert draft.seed == 7 and draft.prompt == doc["prompt_as_sent"]


def test_another_owner_cannot_use_a_recipe_to_reach_your_files(store, tmp_path):
    doc = _recipe(store, owner="ann")
    with pytest.raises(recipe.RecipeError) as caught:
        recipe.finder_for(store, store.data_dir, "bob").draft(doc)
    assert _said(caught) == ("The file of character1 (ada.png) is not in your library any more; put it on a "
                             "character card again and generate from the form.")
    assert "character1 的文件（ada.png）已不在你的资料库里" in _said(caught, "zh-CN")


def test_a_file_of_your_own_characters_is_found_by_its_hash(store, tmp_path):
    doc = _recipe(store, owner="ann")
    store.delete("j1")  # the job is gone; the character library still has the picture
    library = CharacterLibrary(store.data_dir)
    picture = tmp_path / "ada.png"
    kept = next(p for p in store.references_dir.iterdir() if p.name.startswith(doc["cast"][0]["sha256"]))
    picture.write_bytes(kept.read_bytes())
    library.save("bob", CharacterDraft(name="Ada", kind="image", media=picture, media_name="ada.png",
                                       content_type="image/png"))
    doc["cast"] = doc["cast"][:1]
    draft = recipe.finder_for(store, store.data_dir, "bob").draft(doc)
    assert draft.references[0].path.parent == library.files_dir
    with pytest.raises(recipe.RecipeError):  # not ann's: her library has no characters
        recipe.finder_for(store, store.data_dir, "ann").draft(doc)


@pytest.mark.parametrize("digest", ["../../../../etc/passwd", "/etc/passwd", "A" * 64, "0" * 63])
def test_a_recipe_never_names_a_path(store, tmp_path, digest):
    doc = _recipe(store)
    doc["cast"][0]["sha256"] = digest
    with pytest.raises(recipe.RecipeError) as caught:
        recipe.finder_for(store, store.data_dir, "ann").draft(doc)
    assert "character1" in _said(caught)


@pytest.mark.parametrize("text,words", [
    ("not json", "not a recipe from a hand-over pack"),
    ('{"schema": "other", "version": 1}', "not a recipe from a hand-over pack"),
    (json.dumps({"schema": recipe.SCHEMA, "version": 2}), "This recipe is version 2, and this studio reads version 1"),
    (json.dumps({"schema": recipe.SCHEMA, "version": 1, "settings": {}, "cast": []}), "not a recipe"),
    (json.dumps({"schema": recipe.SCHEMA, "version": 1, "settings": {}, "cast": [{}] * 6}), "not a recipe"),
    (json.dumps({"schema": recipe.SCHEMA, "version": 1, "settings": {}, "cast": [{"name": "A"}]}),
     "The recipe names no file or link for character1"),
    ("x" * (recipe.MAX_RECIPE_BYTES + 1), "not a recipe"),
])
def test_what_is_refused_and_how_it_is_said(store, tmp_path, text, words):
    with pytest.raises(recipe.RecipeError) as caught:
        recipe.finder_for(store, store.data_dir, "ann").draft(text)
    assert words in _said(caught)


def test_a_job_never_sent_has_no_body_as_sent(store):
    doc = _recipe(store)  # put into the store by hand: never submitted, so no links were recorded
    assert doc["request_body"] is None
    assert doc["cast"][0]["sha256"] and doc["cast"][0]["role"] == "picture"
