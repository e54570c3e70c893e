"""The character library: kept across a restart, private to its owner, each file kept once by
content hash, and a job that uses a character uploads it once while its link is valid."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from r2v_ui.characters import CharacterDraft, CharacterError, CharacterLibrary
from r2v_ui.workspace import cast as cast_mod
from r2v_ui.workspace.cast import Card
from r2v_ui.workspace import form
from r2v_ui.workspace import charactercards

from tests.fixtures_jobs import emulator_stats, wait_for_state


def _png(path: Path, colour: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (480, 640), colour).save(path)
    return path


def character_draft(path: Path, name: str, note: str = "", voice: Path | None = None) -> CharacterDraft:
    return CharacterDraft(name=name, kind="image", media=path, media_name=path.name, note=note,
                          content_type="image/png", voice=voice, voice_name=voice.name if voice else "")


def test_a_saved_character_is_there_after_a_restart(tmp_path):
    pic = _png(tmp_path / "in" / "mira.png", "tomato")
    lib = CharacterLibrary(tmp_path / "data")
    saved = lib.save("login:ann", character_draft(pic, "Mira", "red coat, curious"))
    del lib
    again = CharacterLibrary(tmp_path / "data")  # a new process would open the same folder
    [ch] = again.list("login:ann")
    assert (ch.id, ch.name, ch.note, ch.kind) == (saved.id, "Mira", "red coat, curious", "image")
    assert again.path(ch.media).read_bytes() == pic.read_bytes()
    assert again.get("login:ann", saved.id) == ch


def test_another_browser_neither_sees_nor_changes_my_characters(tmp_path):
    lib = CharacterLibrary(tmp_path / "data")
    mine = lib.save("browser:aaa", character_draft(_png(tmp_path / "m.png", "tomato"), "Mira"))
    assert lib.list("browser:bbb") == []
    assert lib.list("") == []  # the private-install owner is someone else too
    for action in (lambda: lib.get("browser:bbb", mine.id),
                   lambda: lib.edit("browser:bbb", mine.id, name="Stolen"),
                   lambda: lib.delete("browser:bbb", mine.id)):
        with pytest.raises(CharacterError):
            action()
    # The same name is free for another owner; mine is unchanged.
    lib.save("browser:bbb", character_draft(_png(tmp_path / "b.png", "navy"), "Mira"))
    assert [c.name for c in lib.list("browser:aaa")] == ["Mira"]
    assert lib.get("browser:aaa", mine.id).media == mine.media


def test_the_same_file_saved_twice_is_kept_once_and_shares_its_bytes(tmp_path):
    uploads = tmp_path / "uploads"
    pic = _png(uploads / "mira.png", "tomato")
    copy = _png(tmp_path / "elsewhere" / "mira-again.png", "tomato")  # same bytes, another folder
    lib = CharacterLibrary(tmp_path / "data", links_from=[uploads])
    a = lib.save("", character_draft(pic, "Mira"))
    b = lib.save("", character_draft(copy, "Mira2"))
    c = lib.save("browser:x", character_draft(pic, "Mira"))
    files = [p for p in lib.files_dir.iterdir() if not p.name.startswith(".")]
    assert len(files) == 1
    assert a.media.sha256 == b.media.sha256 == c.media.sha256
    assert os.stat(files[0]).st_ino == os.stat(pic).st_ino  # hard-linked from the upload folder, not copied
    # Deleting one character leaves the file for the others; the last one takes it away.
    lib.delete("", a.id)
    lib.delete("browser:x", c.id)
    assert files[0].is_file()
    lib.delete("", b.id)
    assert not files[0].exists()


def test_rename_edit_and_refusals_are_said_in_words(tmp_path):
    lib = CharacterLibrary(tmp_path / "data")
    pic = _png(tmp_path / "m.png", "tomato")
    mira = lib.save("", character_draft(pic, "@Mira"))
    assert mira.name == "Mira"
    robo = lib.save("", character_draft(_png(tmp_path / "r.png", "gray"), "Robo"))
    with pytest.raises(CharacterError, match="already have a character named Mira"):
        lib.save("", character_draft(pic, "mira"))
    with pytest.raises(CharacterError, match="already have a character named Robo"):
        lib.edit("", mira.id, name="Robo")
    with pytest.raises(CharacterError, match="one word"):
        lib.edit("", mira.id, name="Mira Jones")
    with pytest.raises(CharacterError, match="Give the character a name"):
        lib.save("", character_draft(pic, "  "))
    renamed = lib.edit("", mira.id, name="Mirabel", note="  tall,\n brave ")
    assert (renamed.name, renamed.note) == ("Mirabel", "tall, brave")
    assert [c.name for c in lib.list("")] == ["Mirabel", "Robo"]
    # Taking a new picture from a card: the old file goes (no other character uses it).
    old = lib.path(robo.media)
    new = lib.edit("", robo.id, draft=character_draft(_png(tmp_path / "r2.png", "gold"), "Robo"))
    assert new.media.sha256 != robo.media.sha256 and not old.exists() and lib.path(new.media).is_file()


def test_a_card_becomes_a_character_and_back(tmp_path):
    lib = CharacterLibrary(tmp_path / "data")
    card = Card(kind="image", path=str(_png(tmp_path / "m.png", "tomato")),
                                    name="m.png", verdict="accepted", content_type="image/png",
                                    character="Mira")
    ch = lib.save("", charactercards.draft_from_card(card, 1, "Mira", "the heroine"))
    with pytest.raises(CharacterError, match="character2 has no picture or video"):
        charactercards.draft_from_card(Card(), 2, "Robo", "")
    media, voice = lib.checkout(ch, tmp_path / "work")
    full = [replace(card, character=f"X{i}") for i in range(5)]
    # Into the next empty card; into a chosen card; never into a sixth one.
    cast, i = charactercards.put_into([card, Card()], ch, media, voice)
    assert i == 1 and cast[1].character == "Mira" and cast[1].path == str(media)
    cast, i = charactercards.put_into(full, ch, media, voice, target=3)
    assert i == 2 and cast[2].character == "Mira" and len(cast) == 5
    with pytest.raises(CharacterError, match="All 5 cards are in use"):
        charactercards.put_into(full, ch, media, voice)


def test_a_job_with_a_library_character_uploads_it_once_and_keeps_its_own_copy(tmp_path, emulator, manager):
    lib = CharacterLibrary(manager.settings.data_dir)
    manager.store.allow_links_from(lib.files_dir)
    mira = lib.save("ann", character_draft(_png(tmp_path / "mira.png", "tomato"), "Mira"))
    robo = lib.save("ann", character_draft(_png(tmp_path / "robo.png", "royalblue"), "Robo"))
    ids = []
    for scene in ("@Mira hands @Robo a cup", "@Robo hands @Mira a cup"):
        cast = cast_mod.new_cast()
        for ch in (robo, mira):  # Robo first: card 1
            cast, _ = charactercards.put_into(cast, ch, *lib.checkout(ch, manager.store.work_dir / "checked"))
        draft = form.build_draft(cast, form.FormValues(prompt=scene, tier="720P", aspect="16:9", duration=2))
        ids.append(manager.start(draft, owner="ann"))
        snap, _ = wait_for_state(manager, ids[-1], {"succeeded", "failed"}, owner="ann")
        assert snap.state == "succeeded", snap.error
    stats = emulator_stats(emulator)
    assert stats["submits"] == 2
    assert stats["uploads"] == 2  # two characters, two jobs: each file went up once
    first = manager.snapshot(ids[0], owner="ann")
    assert first.settings["prompt"] == "character2 hands character1 a cup"
    assert first.settings["written_prompt"] == "@Mira hands @Robo a cup"
    assert [r["character"] for r in first.references] == ["Robo", "Mira"]
    # The character is deleted; the job keeps its own copy, and a remix puts @Mira back in words.
    lib.delete("ann", mira.id)
    kept = manager.store.absolute(first.references[1]["kept"])
    assert kept.is_file() and kept.read_bytes() == (tmp_path / "mira.png").read_bytes()
    remix = manager.remix_draft(ids[0], owner="ann")
    values = form.values_from_draft(remix)
    assert values.prompt == "@Mira hands @Robo a cup"
    again = form.build_draft(cast_mod.from_references(remix.references), values)
    assert again.prompt == "character2 hands character1 a cup"
