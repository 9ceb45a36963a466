"""The language checks of tests/test_languages.py find what they are there to find: an English
message of the catalogue on a page shown in Polish, a Polish one on a page shown in English,
wherever a person reads it, Polish that speaks to a man or a woman, and nothing on the pages as
they are."""

import pytest

from tests.checkers import LanguageChecker, gendered, read_catalogue, visible_text
from tests.every_page import error_pages


@pytest.fixture(scope="module")
def checker():
    return LanguageChecker()


def test_the_catalogue_is_read_with_plurals_and_without_fuzzy_or_obsolete_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: pl\\n"\n\n'
        '#: a.py:1\nmsgid "Save the meeting"\nmsgstr "Zapisz spotkanie"\n\n'
        '#, python-format\nmsgid "%(count)s library"\nmsgid_plural "%(count)s libraries"\n'
        'msgstr[0] "%(count)s biblioteka"\nmsgstr[1] "%(count)s biblioteki"\n'
        'msgstr[2] "%(count)s bibliotek"\n\n'
        '#, fuzzy\nmsgid "A fuzzy guess"\nmsgstr "Zgadywanka"\n\n'
        'msgid ""\n"Two lines "\n"of text"\nmsgstr ""\n"Dwie linie "\n"tekstu"\n\n'
        'msgid "Not translated yet"\nmsgstr ""\n\n'
        '#~ msgid "Obsolete"\n#~ msgstr "Przestarzałe"\n',
        encoding="utf-8",
    )

    assert read_catalogue(po) == [
        (["Save the meeting"], ["Zapisz spotkanie"]),
        (["%(count)s library", "%(count)s libraries"],
         ["%(count)s biblioteka", "%(count)s biblioteki", "%(count)s bibliotek"]),
        (["Two lines of text"], ["Dwie linie tekstu"]),
    ]


def test_visible_text_is_what_a_person_reads_or_hears():
    html = """<html><head><title>Strona</title><style>p { color: red }</style>
      <script>var s = "Zapisz spotkanie";</script></head>
      <body><p>Ostatnie <strong>spotkanie</strong> <time datetime="2026-03-01">1 marca</time></p>
      <button aria-label="Zamknij okno">×</button><img alt="Mapa gminy" src="m.png">
      <input type="submit" value="Wyślij formularz"><input type="text" value="wpisany tekst">
      <input placeholder="Szukaj biblioteki"><a href="/x" title="Karta biblioteki">x</a>
      <template><p>Ukryty szablon</p></template></body></html>"""

    lines = visible_text(html).splitlines()

    assert "Ostatnie spotkanie 1 marca" in lines  # inline elements do not cut a sentence
    for read in ("Strona", "Zamknij okno", "Mapa gminy", "Wyślij formularz",
                 "Szukaj biblioteki", "Karta biblioteki"):
        assert read in lines
    text = visible_text(html)
    assert "Zapisz spotkanie" not in text  # a script
    assert "color" not in text  # a style sheet
    assert "wpisany tekst" not in text  # what someone typed is data
    assert "Ukryty szablon" not in text


def test_ambiguous_phrases_are_not_looked_for(checker):
    for language in ("en", "pl"):
        phrases = checker.phrases[language]
        assert phrases, "the catalogue gives phrases to look for"
        assert all(len(p.split()) >= 2 for p in phrases)
        assert not any("%(" in p or "<" in p for p in phrases)


def test_error_pages_as_they_are_speak_one_language(db, checker):
    for language in ("pl", "en"):
        for name, html in error_pages(language).items():
            assert checker.leaks(html, language) == [], (name, language)


def test_an_untranslated_message_on_a_polish_page_is_found(db, checker):
    page = error_pages("pl")["404"]
    # A template that forgot {% translate %} around a message of the catalogue.
    broken = page.replace("</main>", "<p>Go to the home page</p></main>")

    assert checker.leaks(broken, "pl") == ["Go to the home page"]
    # In an attribute, a different case of its first letter, split by a tag.
    broken = page.replace("</main>", '<a href="/" aria-label="go to the home page">→</a>'
                                     "<p>Go to <em>the home</em> page</p></main>")
    assert checker.leaks(broken, "pl") == ["Go to the home page", "go to the home page"]


def test_a_polish_message_on_an_english_page_is_found(db, checker):
    page = error_pages("en")["404"]
    # A label translated when the module was imported (gettext instead of gettext_lazy).
    broken = page.replace("</main>", "<label>Przejdź na stronę główną</label></main>")

    assert checker.leaks(broken, "en") == ["Przejdź na stronę główną"]
    # A whole phrase only: a longer word around it is not the message.
    assert checker.leaks(page.replace("</main>", "<p>Przejdź na stronę głównąxyz</p></main>"),
                         "en") == []


def test_polish_that_speaks_to_a_man_or_a_woman_is_found(db):
    page = error_pages("pl")["404"]
    assert gendered(page) == []
    broken = page.replace("</main>", "<p>Zapomniałeś hasła? Jeśli otrzymałaś/eś zaproszenie, "
                                     "wszystko, co zapisał(a), zostaje; konto jest aktywny/a, "
                                     "zaproszona/y, nie będzie mógł/mogła. Jesteś pewien?</p>"
                                     "<p>Zalogowany jako Jan.</p><p>Jesteś już zalogowany/-a."
                                     "</p><p>Otrzymujesz je jako animatorka.</p></main>")

    assert gendered(broken) == ["Zapomniałeś", "otrzymałaś", "zapisał(a)", "aktywny/a",
                                "zaproszona/y", "mógł/mogła", "Jesteś pewien",
                                "Zalogowany jako", "zalogowany/-a", "jako animatorka"]
    # The same said for everyone; the names of roles in both forms; an address.
    assert gendered("<p>Nie pamiętasz hasła? Zalogowano jako animator01@example.org, jako "
                    "koordynator.programu@example.org. Wszystkie wpisy tej osoby "
                    "zostają. Przypisz animatora/animatorkę; animator/ka; bibliotekarka / "
                    "bibliotekarz.</p>") == []
