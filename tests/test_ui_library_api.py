"""The character library through the studio's API routes (gradio_client, the real app on loopback,
--auth): each user has a library of their own, a character outlives a restart of the studio, and
every refusal is a sentence."""

from __future__ import annotations

import pytest

from tests.fixtures_ui import running_studio

gradio_client = pytest.importorskip("gradio_client")

USERS = (("ann", "ann-pass-1"), ("bob", "bob-pass-2"))


def client_for(studio, user: tuple[str, str]):
    return gradio_client.Client(studio.url, auth=user, verbose=False)


def names(client) -> list[str]:
    return [c["name"] for c in client.predict(api_name="/list_characters")["characters"]]


def test_each_login_has_its_own_library_and_it_outlives_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_studio(data, auth=list(USERS)) as studio:
        ann, bob = client_for(studio, USERS[0]), client_for(studio, USERS[1])
        ann.predict(api_name="/load_example_cast")  # two checked cards in ann's session
        ada = ann.predict(1, "Ada", "the one in the red coat", api_name="/save_character")
        ann.predict(2, "Bo", "", api_name="/save_character")
        assert (ada["name"], ada["note"], ada["kind"]) == ("Ada", "the one in the red coat", "image")
        assert names(ann) == ["Ada", "Bo"]
        with pytest.raises(Exception, match="already have a character named Ada"):
            ann.predict(2, "ada", "", api_name="/save_character")
        with pytest.raises(Exception, match="whole number from 1 to 5"):
            ann.predict("two", "Cy", "", api_name="/save_character")
        with pytest.raises(Exception, match="character3 has no picture or video"):
            ann.predict(3, "Cy", "", api_name="/save_character")
        # Bob sees none of them, and cannot use, change or delete them by id.
        assert names(bob) == []
        for call in (lambda: bob.predict(ada["id"], 0, api_name="/use_character"),
                     lambda: bob.predict(ada["id"], "Mine", "", api_name="/edit_character"),
                     lambda: bob.predict(ada["id"], api_name="/delete_character")):
            with pytest.raises(Exception, match="not in your library"):
                call()
        used = ann.predict(ada["id"], 0, api_name="/use_character")
        assert used["name"] == "Ada" and used["card"] == 3  # cards 1 and 2 are full: a new card
        ann.predict(ada["id"], "Adele", "", api_name="/edit_character")
    with running_studio(data, auth=list(USERS)) as studio:  # the studio restarted on the same data folder
        ann, bob = client_for(studio, USERS[0]), client_for(studio, USERS[1])
        assert names(ann) == ["Adele", "Bo"]
        assert names(bob) == []
        assert ann.predict(ada["id"], api_name="/delete_character")["name"] == "Adele"
        assert names(ann) == ["Bo"]
