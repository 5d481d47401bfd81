"""The reader (app/sms/keywords.py): a reply changes state only when the whole message is a
keyword, in any case, punctuation, emoji, brackets, digits of any script and polite words
around it. Everything else is free text that a person reads."""

import unicodedata

import pytest

from app.sms.keywords import Reading, clean, fold, read, words
from app.words.languages import INTENTS, get_language, languages


def reading(body: str, code: str = "sv") -> Reading:
    return read(body, get_language(code))


# Empty, punctuation, emoji and question marks


@pytest.mark.parametrize(
    "body", ["", "   ", "\n\t ", "\x00\x01", "\u200b\u200f", "\ufeff", "\u00a0\u3000", None]
)
def test_nothing_or_only_invisible_characters_is_empty(body):
    assert read(body, get_language("sv")) == Reading("empty")


@pytest.mark.parametrize("body", ["?", "؟", " ? ", "??", "؟؟", "¿?", "? ?", "?\n؟", "?؟¿"])
def test_a_question_mark_alone_asks_for_the_menu(body):
    assert reading(body).intent == "help"


@pytest.mark.parametrize(
    "body", [".", "!!!", "...", "-", "👍", "👍🏽", "❤️", "🙏🙏", "😀🎉", ":)", "1️⃣2️⃣"]
)
def test_only_punctuation_or_emoji_goes_to_a_person(body):
    assert reading(body) == Reading("free_text")


def test_a_photo_without_words_goes_to_a_person():
    assert reading("media") == Reading("free_text")


# The whole message is the keyword


@pytest.mark.parametrize(
    ("body", "code", "intent"),
    [
        ("JA", "sv", "yes"),
        ("ja", "sv", "yes"),
        ("Ja!", "sv", "yes"),
        ("Ja tack!", "sv", "yes"),
        ("ja, tack så mycket", "sv", "yes"),
        ("Hej! Ja.", "sv", "yes"),
        ("jaaa", "sv", "yes"),
        ("«Ja»", "sv", "yes"),
        ('"ja"', "sv", "yes"),
        ("(JA)", "sv", "yes"),
        ("[ja]", "sv", "yes"),
        ("ja👍", "sv", "yes"),
        ("👍 ja 👍", "sv", "yes"),
        ("ok 👍", "sv", "yes"),
        ("Okej", "sv", "yes"),
        ("Jepp", "sv", "yes"),
        ("javisst", "sv", "yes"),
        ("Ja, jag kommer!", "sv", "yes"),
        ("Jag kommer, tack!", "sv", "yes"),
        ("Hej! Jag kommer. Tack!", "sv", "yes"),
        ("jag kommer", "sv", "yes"),
        ("nej", "sv", "no"),
        ("Nej tack", "sv", "no"),
        ("nej tyvärr", "sv", "no"),
        ("NEJ!!", "sv", "no"),
        ("Nej, jag kan inte komma.", "sv", "no"),
        ("STOPP", "sv", "stop"),
        ("stop.", "sv", "stop"),
        ("Sluta", "sv", "stop"),
        ("START", "sv", "start"),
        ("starta", "sv", "start"),
        ("AVBRYT", "sv", "cancel"),
        ("RING", "sv", "call"),
        ("ring mig tack", "sv", "call"),
        ("SPRÅK", "sv", "language"),
        ("sprak", "sv", "language"),
        ("HJÄLP", "sv", "help"),
        ("hjalp", "sv", "help"),
        ("Hjälp?", "sv", "help"),
        ("help me", "en", "help"),
        ("Yes please", "en", "yes"),
        ("No thanks", "en", "no"),
        ("CANCEL", "en", "cancel"),
        ("Cancel.", "en", "cancel"),
        ("نعم", "ar", "yes"),
        ("نعم، شكرا", "ar", "yes"),
        ("نعم شكراً", "ar", "yes"),
        ("ايوه", "ar", "yes"),
        ("ايوة", "ar", "yes"),
        ("لا", "ar", "no"),
        ("لا، شكرا", "ar", "no"),
        ("إلغاء", "ar", "cancel"),
        ("الغاء", "ar", "cancel"),
        ("توقف", "ar", "stop"),
        ("ابدأ", "ar", "start"),
        ("مساعدة", "ar", "help"),
        ("مساعده", "ar", "help"),
        ("مساعـــدة", "ar", "help"),
        ("HAA", "so", "yes"),
        ("ha", "so", "yes"),
        ("haa mahadsanid", "so", "yes"),
        ("maya", "so", "no"),
        ("JOOJI", "so", "stop"),
        ("بله", "fa", "yes"),
        ("بلي", "fa", "yes"),
        ("نه، ممنون", "fa", "no"),
        ("لغو", "fa", "cancel"),
        ("کمك", "fa", "help"),
        ("كمك", "fa", "help"),
        ("ها", "prs", "yes"),
        ("بلی", "prs", "yes"),
        ("بس", "prs", "cancel"),
        ("لغو", "prs", "cancel"),
        ("እወ", "ti", "yes"),
        ("ewe", "ti", "yes"),
        ("ኣይፋልን", "ti", "no"),
        ("ayfal", "ti", "no"),
        ("ደው በሉ", "ti", "stop"),
        ("ደው", "ti", "stop"),
        ("kyllä", "fi", "yes"),
        ("kylla kiitos", "fi", "yes"),
        ("Ei kiitos", "fi", "no"),
        ("PERUUTA", "fi", "cancel"),
        ("LOPETA", "fi", "stop"),
        ("так", "uk", "yes"),
        ("Так, дякую", "uk", "yes"),
        ("ні", "uk", "no"),
        ("СКАСУВАТИ", "uk", "cancel"),
        ("стоп", "uk", "stop"),
    ],
)
def test_the_whole_message_is_the_keyword(body, code, intent):
    assert reading(body, code) == Reading(intent)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("Nej då, jag kommer", "sv"),
        ("Nej då jag kommer!", "sv"),
        ("لا مشكلة سأحضر", "ar"),
        ("Ei hätää, tulen", "fi"),
        ("No problem, I will come", "en"),
        ("No worries I'll be there", "en"),
        ("Так получилось что не смогу", "uk"),
        ("Ja, mutta voinko tulla myöhemmin?", "fi"),
        ("Ja sitten kysyisin yhtä asiaa", "fi"),
        ("ja jag kommer inte", "sv"),
        ("Ja men kan vi flytta tiden?", "sv"),
        ("nej men kan vi ses på torsdag", "sv"),
        ("stopp min tid på tisdag, jag är sjuk", "sv"),
        ("Cancel my appointment", "en"),
        ("Stop sending me the wrong date", "en"),
        ("ja nej", "sv"),
        ("Start time?", "en"),
        ("أبدا", "ar"),
        ("ابدا", "ar"),
        ("أبدًا", "ar"),
        ("ابداً", "ar"),
        ("tack", "sv"),
        ("Tack så mycket!", "sv"),
        ("شكرا", "ar"),
        ("kiitos", "fi"),
        ("hej", "sv"),
        ("HELP me with my rent", "en"),
        ("بس", "ar"),
        ("ها", "fa"),
        ("ei", "sv"),
        ("ha", "sv"),
        ("tak", "sv"),
    ],
)
def test_anything_more_than_a_keyword_goes_to_a_person(body, code):
    assert reading(body, code) == Reading("free_text")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("Ja?", "sv"),
        ("نعم؟", "ar"),
        ("Nej?", "sv"),
        ("stopp?", "sv"),
        ("START?", "en"),
        ("так?", "uk"),
    ],
)
def test_a_yes_no_or_switch_asked_as_a_question_goes_to_a_person(body, code):
    """'نعم؟' is Arabic for 'pardon?', 'Ja?' for 'what is it?'."""
    assert reading(body, code) == Reading("free_text")


def test_a_long_text_is_always_read_by_a_person():
    assert reading(" ".join(["ja"] * 12)) == Reading("yes")
    assert reading(" ".join(["ja"] * 13)) == Reading("free_text")


# Looked up in the sender's language, then Swedish, then English


def test_swedish_and_english_are_understood_from_every_client():
    for language in languages():
        assert read("JA", language).intent == "yes", language.code
        assert read("yes", language).intent == "yes", language.code
        assert read("STOPP", language).intent == "stop", language.code
        assert read("STOP", language).intent == "stop", language.code


def test_another_language_s_words_are_not_read_from_a_client_who_does_not_speak_it():
    assert reading("kyllä", "sv").intent == "free_text"
    assert reading("لغو", "ar").intent == "free_text"
    assert reading("نعم", "fa").intent == "free_text"


def test_the_sender_s_own_language_comes_first():
    # Somali "ha" is yes for a Somali client; for a Swedish client it is the verb "have".
    assert reading("ha", "so").intent == "yes"
    assert reading("ha", "sv").intent == "free_text"


def test_no_language_reads_as_swedish():
    assert read("ja", None) == Reading("yes")
    assert read("kyllä", None) == Reading("free_text")


# Numbers


@pytest.mark.parametrize(
    ("body", "number"),
    [
        ("1", 1),
        ("١", 1),
        ("۱", 1),
        ("１", 1),
        ("1.", 1),
        (" 1 ", 1),
        ("(1)", 1),
        ("1!", 1),
        ("#1", 1),
        ("1 tack", 1),
        ("12", 12),
        ("١٢", 12),
        ("۱۲", 12),
        ("07", 7),
        ("0", 0),
        ("99", 99),
        ("፩", 1),
        ("፯", 7),
        ("፲፪", 12),
        ("1️⃣", 1),
    ],
)
def test_a_number_alone_is_a_number(body, number):
    assert reading(body) == Reading("number", number)


@pytest.mark.parametrize(
    "body",
    [
        "1 och 2",
        "1,2",
        "1-2",
        "kl 1",
        "kl 10",
        "0701234567",
        "3 st",
        "14.30",
        "14:30",
        "100",
        "1a",
        "2 ok",
        "١ و ٢",
        "፻",
        "፩፩",
        "1 1",
    ],
)
def test_a_number_with_anything_else_goes_to_a_person(body):
    assert reading(body) == Reading("free_text")


# Folding


def test_fold_drops_case_accents_and_unifies_arabic_and_persian_letters():
    assert fold("Hjälp!") == "hjalp!"
    assert fold("كمك") == fold("کمک")  # Arabic and Persian kaf
    assert fold("بلي") == fold("بلی")  # Arabic and Persian ya
    assert fold("على") == fold("علی")  # alif maqsura
    assert fold("مساعدة") == fold("مساعده")  # ta marbuta written as ha
    assert fold("مساعـــدة") == fold("مساعدة")  # tatweel
    assert fold("شكراً") == fold("شكرا")  # tanwin
    assert fold("آره") == fold("اره")  # madda
    assert fold("٣") == "3" and fold("۳") == "3"


def test_start_and_never_in_arabic_stay_two_words():
    """ابدأ (start) and أبدًا / ابدا (never) must not fold into one word: after STOPP an
    Arabic client writing «أبدا» means "never", not "send me texts again"."""
    start = fold("ابدأ")
    assert start not in {fold("أبدًا"), fold("أبدا"), fold("ابدا"), fold("ابداً")}
    assert read("ابدأ", get_language("ar")).intent == "start"
    for never in ("أبدًا", "أبدا", "ابدا", "ابداً", "أبداً", "لا أبدا"):
        assert read(never, get_language("ar")).intent != "start", never


def test_hamza_is_kept_where_it_tells_words_apart():
    assert fold("أ") != fold("ا")
    assert fold("إ") != fold("ا")
    assert fold("ؤ") != fold("و")


def test_words_split_on_every_script_s_punctuation_and_drop_emoji():
    assert words("نعم،شكرا") == ["نعم", "شکرا"]
    assert words("لا؛ شكرا؟") == ["لا", "شکرا"]
    assert words("Ja!!👍(tack)") == ["ja", "tack"]
    assert words("I'll come") == ["ill", "come"]
    assert words("opt-out") == ["opt", "out"]
    assert words("jaaaa") == ["ja"]
    assert words("") == []


def test_clean_keeps_the_text_but_not_control_or_direction_characters():
    assert clean("\u202bنعم\u202c") == "نعم"
    assert clean("  hej\x00 ") == "hej"
    assert clean(None) == ""


# The registry


def test_cancel_is_an_intent_and_every_language_has_words_for_it():
    assert "cancel" in INTENTS
    for language in languages():
        assert language.keywords["cancel"], language.code


def test_every_language_has_polite_words_and_none_of_them_is_a_keyword():
    for language in languages():
        assert language.polite, language.code
        chain = {language.code, "sv", "en"}
        keywords = {
            " ".join(words(word))
            for other in languages()
            if other.code in chain
            for intent_words in other.keywords.values()
            for word in intent_words
        }
        polite = {" ".join(words(word)) for word in language.polite}
        assert polite & keywords == set(), language.code


def test_every_keyword_is_read_as_its_own_intent_by_its_own_language():
    for language in languages():
        for intent, keywords in language.keywords.items():
            for word in keywords:
                assert read(word, language).intent == intent, (language.code, word)
                assert read(f" {word.lower()}! ", language).intent == intent, (language.code, word)


def test_no_keyword_means_two_things_in_one_language():
    for language in languages():
        seen: dict[str, str] = {}
        for intent, keywords in language.keywords.items():
            for word in keywords:
                key = " ".join(words(word))
                assert seen.setdefault(key, intent) == intent, (language.code, word)


def test_keywords_are_stored_as_nfc_text():
    for language in languages():
        for keywords in language.keywords.values():
            for word in keywords:
                assert unicodedata.normalize("NFC", word) == word, word


# Spellings clients really type: a keyword listed in one spelling only sends the other to a
# person, though the client said something clear.


@pytest.mark.parametrize("code", ["fa", "prs"])
def test_persian_and_dari_keywords_are_read_with_a_space_for_the_non_joiner(code):
    """Most phones type a space where a word has a zero-width non-joiner: نمی توانم for
    نمی‌توانم, and the joined spelling (نمیتوانم) is as common."""
    language = get_language(code)
    with_joiner = [
        (intent, keyword)
        for intent, keywords in language.keywords.items()
        for keyword in keywords
        if "\u200c" in keyword
    ]
    assert with_joiner
    for intent, keyword in with_joiner:
        for spelling in (keyword.replace("\u200c", " "), keyword.replace("\u200c", "")):
            assert read(spelling, language).intent == intent, spelling


def test_somali_keywords_are_read_with_iman_and_imaan():
    """Somali writes long vowels double, and clients write "iman" and "imaan" (to come)."""
    somali = get_language("so")
    with_iman = [
        (intent, keyword)
        for intent, keywords in somali.keywords.items()
        for keyword in keywords
        if "IMAN" in keyword
    ]
    assert len(with_iman) >= 6
    for intent, keyword in with_iman:
        assert read(keyword.replace("IMAN", "IMAAN"), somali).intent == intent, keyword


def test_arabic_yes_and_no_are_read_without_hamza():
    """Many clients leave out hamza (لا استطيع for لا أستطيع). Only for yes and no: ابدأ
    (start) and أبدا (never) show why a command word keeps its hamza."""
    arabic = get_language("ar")
    for intent in ("yes", "no"):
        for keyword in arabic.keywords[intent]:
            plain = keyword.translate(str.maketrans("أإآ", "ااا"))
            assert read(plain, arabic).intent == intent, plain


@pytest.mark.parametrize(
    ("cyrillic", "latin", "intent"),
    [("ок", "ok", "yes"), ("так", "tak", "yes"), ("ні", "ni", "no")],
)
def test_ukrainian_keywords_are_read_in_cyrillic_and_latin_letters(cyrillic, latin, intent):
    ukrainian = get_language("uk")
    for spelling in (cyrillic, cyrillic.upper(), latin, latin.upper()):
        assert read(spelling, ukrainian).intent == intent, spelling


@pytest.mark.parametrize(
    ("code", "body", "intent"),
    [
        ("sv", "Näpp", "no"),
        ("sv", "Kommer ej", "no"),
        ("sv", "Nej, jag kan tyvärr inte komma", "no"),
        ("sv", "Det passar bra", "yes"),
        ("sv", "START igen", "start"),
        ("en", "I can't make it", "no"),
        ("en", "Yes I will", "yes"),
        ("ar", "ما اقدر اجي", "no"),
        ("ar", "اوك", "yes"),
        ("uk", "Так, буду", "yes"),
        ("uk", "Не зможу прийти", "no"),
        ("fi", "Tuun", "yes"),
        ("fi", "En pääse tulemaan", "no"),
        ("fa", "نمی تونم بیام", "no"),
        ("fa", "bale", "yes"),
        ("prs", "na", "no"),
        ("prs", "آمده نمیتانم", "no"),
        ("so", "Maya ma imaan karo", "no"),
        ("so", "waan imaanayaa", "yes"),
    ],
)
def test_everyday_phrasings_of_yes_no_and_start_are_understood(code, body, intent):
    assert reading(body, code).intent == intent


@pytest.mark.parametrize(
    ("code", "body"),
    [
        ("sv", "Passar det?"),
        ("sv", "Funkar inte med bussen"),
        ("sv", "Kommer ej hinna"),
        ("sv", "Absolut inte"),
        ("sv", "Starta inte igen"),
        ("sv", "Jag är där kl 11"),
        ("en", "I will be late"),
        ("en", "I won't be there until 11"),
        ("en", "See you then?"),
        ("ar", "لا أستطيع الحضور الساعة ١٠"),
        ("ar", "اوك؟"),
        ("so", "Imaan maayo berri"),
        ("fa", "نمی توانم ساعت ۱۰ بیایم"),
        ("prs", "ها ولی ناوقت"),
        ("fi", "Tuun myöhässä"),
        ("uk", "Буду пізніше"),
        ("uk", "Не буду до 11"),
        ("uk", "Ок?"),
    ],
)
def test_the_new_phrasings_with_a_time_a_condition_or_a_question_go_to_a_person(code, body):
    assert reading(body, code) == Reading("free_text")


@pytest.mark.parametrize("body", ["Nä", "Nå", "nää", "NA"])
def test_a_swedish_na_is_read_by_a_person(body):
    """«Nä» (no) and «Nå» ("well?") are one word once accents are dropped: a person reads
    it rather than a meeting being declined for «Nå»."""
    assert read(body, get_language("sv")).intent == "free_text"
    assert read(body, get_language("en")).intent == "free_text"


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        ("Ja 👎", "free_text"),
        ("Nej 👍", "free_text"),
        ("nej ✅", "free_text"),
        ("JA ❌", "free_text"),
        ("ja ✔️", "yes"),
        ("Ja 👍🏽", "yes"),
        ("Nej ❌", "no"),
        ("nej 👎", "no"),
    ],
)
def test_a_sign_that_says_the_opposite_leaves_it_to_a_person(body, intent):
    assert read(body, get_language("sv")).intent == intent
