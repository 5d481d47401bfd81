"""Twilio's <Say> voices (locales/twilio_voices.toml) and the one each language speaks with
(locales/languages.toml): listed by Twilio under the tag it is given, and of the best kind
Twilio offers for the language, or the reason for a lesser one written down."""

import datetime
import re
import tomllib
from pathlib import Path

import pytest

from app.words.languages import languages

VOICES_FILE = Path(__file__).resolve().parents[2] / "locales" / "twilio_voices.toml"
# How Twilio writes a Google voice: Google.<language tag>-<model>-<voice>.
GOOGLE_NAME = re.compile(
    r"Google\.(?P<tag>[a-z]{2,3}-[A-Z]{2})-(?P<model>Standard|Wavenet|Neural2|Chirp3-HD)-\w+"
)
# And an Amazon Polly voice: Polly.<Name>, with the engine after a dash unless standard.
POLLY_NAME = re.compile(r"Polly\.(?P<voice>[A-Z]\w+)(?:-(?P<engine>Neural|Generative))?")
POLLY_KINDS = {None: "standard", "Neural": "neural", "Generative": "generative"}


def listing() -> dict:
    """locales/twilio_voices.toml as read."""
    with VOICES_FILE.open("rb") as fh:
        return tomllib.load(fh)


def chosen() -> dict[str, tuple[str, str]]:
    """Each language with a Twilio voice: (say_voice, say_language)."""
    return {
        language.code: (language.say_voice, language.say_language)
        for language in languages()
        if language.say_voice and language.say_language
    }


def choice_problems(voices: dict, choices: dict[str, tuple[str, str]]) -> list[str]:
    """What is wrong with each language's choice: not listed under the tag it is given, or
    of a lesser kind than the best listed for the language, unless `accepted` gives the
    reason and `over` names every better kind listed; or a reason kept for nothing."""
    rank = {kind: entry["rank"] for kind, entry in voices["kinds"].items()}
    problems = []
    for code, (voice, tag) in sorted(choices.items()):
        settings = voices["languages"].get(code)
        if settings is None:
            problems.append(f"{code}: no [languages.{code}] in the list")
            continue
        tags = settings["tags"]
        offered = [entry for entry in voices["twilio"]["voices"] if entry["language"] in tags]
        listed = [entry for entry in offered if entry["name"] == voice and entry["language"] == tag]
        if not listed:
            problems.append(f"{code}: {voice} is not listed for {tag}")
            continue
        better = sorted(
            {entry["kind"] for entry in offered if rank[entry["kind"]] > rank[listed[0]["kind"]]}
        )
        accepted = settings.get("accepted")
        unweighed = [kind for kind in better if kind not in settings.get("over", [])]
        if better and (not accepted or unweighed):
            problems.append(
                f"{code}: {voice} is {listed[0]['kind']}, but {', '.join(unweighed or better)} "
                f"voices are listed: choose one, or give the reason (accepted, over)"
            )
        elif accepted and not better:
            problems.append(f"{code}: {voice} is of the best kind listed; drop 'accepted'")
    return problems


def test_the_list_says_where_each_voice_comes_from_and_when_it_was_read():
    voices = listing()
    for key, source in voices["sources"].items():
        assert source["url"].startswith("https://"), key
        assert isinstance(source["read"], datetime.date), key
        assert source["about"].strip(), key
    for entry in voices["twilio"]["voices"]:
        assert entry["source"], entry["name"]
        assert set(entry["source"]) <= set(voices["sources"]), entry["name"]
        assert "twilio-node" in entry["source"], f"{entry['name']}: Twilio must list it"


def test_each_voice_is_named_as_twilio_writes_it_with_its_tag_and_kind():
    voices = listing()
    entries = voices["twilio"]["voices"]
    assert len({entry["name"] for entry in entries}) == len(entries), "a voice listed twice"
    tags = [tag for settings in voices["languages"].values() for tag in settings["tags"]]
    assert len(set(tags)) == len(tags), "a tag belongs to one language"
    for entry in entries:
        assert entry["kind"] in voices["kinds"], entry["name"]
        assert entry["language"] in tags, entry["name"]
        assert entry.get("gender", "female") in ("female", "male"), entry["name"]
        if google := GOOGLE_NAME.fullmatch(entry["name"]):
            assert entry["provider"] == "Google", entry["name"]
            assert google["tag"] == entry["language"], entry["name"]
            assert google["model"].lower() == entry["kind"], entry["name"]
        elif polly := POLLY_NAME.fullmatch(entry["name"]):
            assert entry["provider"] == "Amazon Polly", entry["name"]
            assert POLLY_KINDS[polly["engine"]] == entry["kind"], entry["name"]
            assert "polly-voices" in entry["source"], f"{entry['name']}: Amazon gives its tag"
        else:
            pytest.fail(f"{entry['name']} is not a Twilio voice name")


def test_the_list_covers_exactly_the_languages_twilio_speaks():
    assert set(listing()["languages"]) == set(chosen()) == {"sv", "en", "ar", "fi", "uk"}


def test_every_configured_voice_is_listed_for_its_tag_and_of_the_best_kind():
    assert choice_problems(listing(), chosen()) == []


def test_the_readme_gives_the_reason_for_each_voice():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("\n### Voices\n", 1)[1].split("\n#", 1)[0]
    for code, (voice, tag) in chosen().items():
        line = next((line for line in section.splitlines() if f"`{voice}`" in line), None)
        assert line is not None, f"README, Voices: no reason for {code}'s voice {voice}"
        assert tag in line, f"README, Voices: {voice} without its tag {tag}"


def small_listing(*voices: tuple[str, str, str], **settings) -> dict:
    """A listing for one language "xx" (tags xx-XX, xx-YY) with the given (name, tag, kind)."""
    return {
        "kinds": {"standard": {"rank": 1}, "neural": {"rank": 3}, "chirp3-hd": {"rank": 4}},
        "languages": {"xx": {"tags": ["xx-XX", "xx-YY"], **settings}},
        "twilio": {
            "voices": [{"name": name, "language": tag, "kind": kind} for name, tag, kind in voices]
        },
    }


STANDARD = ("Google.xx-XX-Standard-A", "xx-XX", "standard")
NEURAL = ("Polly.Ada-Neural", "xx-XX", "neural")
CHIRP_ELSEWHERE = ("Google.xx-YY-Chirp3-HD-Kore", "xx-YY", "chirp3-hd")


def test_a_voice_must_be_listed_under_the_tag_it_is_given():
    voices = small_listing(STANDARD)
    assert choice_problems(voices, {"xx": ("Google.xx-XX-Standard-A", "xx-XX")}) == []
    assert choice_problems(voices, {"xx": ("Google.xx-XX-Standard-A", "xx-YY")}) == [
        "xx: Google.xx-XX-Standard-A is not listed for xx-YY"
    ]
    assert choice_problems(voices, {"xx": ("Google.xx-XX-Standard-B", "xx-XX")}) == [
        "xx: Google.xx-XX-Standard-B is not listed for xx-XX"
    ]
    assert choice_problems(voices, {"zz": ("Google.xx-XX-Standard-A", "xx-XX")}) == [
        "zz: no [languages.zz] in the list"
    ]


def test_a_better_kind_added_to_the_list_asks_for_a_choice_or_a_reason():
    standard = {"xx": ("Google.xx-XX-Standard-A", "xx-XX")}
    assert choice_problems(small_listing(STANDARD, NEURAL), standard) == [
        "xx: Google.xx-XX-Standard-A is standard, but neural voices are listed: "
        "choose one, or give the reason (accepted, over)"
    ]
    assert choice_problems(small_listing(STANDARD, NEURAL), {"xx": NEURAL[:2]}) == []
    reasoned = {"accepted": "The neural voice misreads dates.", "over": ["neural"]}
    assert choice_problems(small_listing(STANDARD, NEURAL, **reasoned), standard) == []
    # A reason weighs the kinds it names: a better one listed later (here under the
    # language's other tag) asks again.
    later = small_listing(STANDARD, NEURAL, CHIRP_ELSEWHERE, **reasoned)
    assert choice_problems(later, standard) == [
        "xx: Google.xx-XX-Standard-A is standard, but chirp3-hd voices are listed: "
        "choose one, or give the reason (accepted, over)"
    ]
    # Kinds without the reason are not enough.
    assert choice_problems(small_listing(STANDARD, NEURAL, over=["neural"]), standard) != []


def test_a_reason_kept_for_nothing_is_flagged():
    voices = small_listing(STANDARD, NEURAL, accepted="Kept for its dates.", over=["neural"])
    assert choice_problems(voices, {"xx": NEURAL[:2]}) == [
        "xx: Polly.Ada-Neural is of the best kind listed; drop 'accepted'"
    ]
