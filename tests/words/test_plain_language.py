"""LIX counted over every sentence, links left out."""

import pytest

from app.words.plain_language import lix, sentences, words


def test_lix_of_a_simple_text():
    # 8 words, 2 sentences, 1 long word (klockan): 8/2 + 100*1/8 = 16.5
    assert lix("Du har en tid. Den är klockan två.") == 16.5


def test_short_sentences_count_too():
    # textstat drops sentences of two words or fewer; we must not.
    assert len(sentences("Hej Sara! Det här är Ekby kommun.")) == 2


def test_links_are_not_words():
    assert words("Läs mer: https://tydligt.ekby.example/p/abcdefghijk") == ["Läs", "mer"]


def test_line_breaks_end_sentences():
    assert len(sentences("Plats: Storgatan 12\nVi pratar om ditt stöd")) == 3


def test_times_and_compound_words_are_one_word():
    assert words("klockan 14.00 e-post") == ["klockan", "14.00", "e-post"]


def test_empty_text_has_lix_zero():
    assert lix("") == 0.0


@pytest.mark.parametrize(
    "text",
    ["Beslutet om biståndshandläggning verkställs omedelbart enligt socialtjänstlagen."],
)
def test_official_language_scores_high(text):
    assert lix(text) > 50
