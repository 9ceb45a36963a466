"""Checks a page's text against the project's Polish catalogue: a page shown in Polish must not
show an English msgid of the catalogue, one shown in English no Polish msgstr.

`LanguageChecker().leaks(html, "pl")` answers the phrases of the other language found in the
page's visible text: the text nodes outside <script>, <style> and <template>, the page's <title>,
and the attributes a person reads or hears (title, aria-label, placeholder, alt, and the value
of a button). Phrases are matched whole (not inside a longer word), with whitespace
normalised; a message with placeholders is matched by its literal pieces between them.

Not every message can tell the languages apart. Left out are:

- pieces of fewer than two words or fewer than eight letters ("Email", "%(count)s libraries");
- pieces that read the same in the other language's messages ("CAL", "TERC", a name), i.e. an
  English piece found inside some Polish msgstr, or a Polish piece inside some English msgid;
- fuzzy and obsolete entries, and messages without a translation.
"""

import ast
import re
from functools import cached_property
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "pl" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %d, %%, {name} — whatever a message fills in or escapes.
PLACEHOLDER = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr%]|\{[^{}]*\}")
TAG = re.compile(r"<[^>]*>")
SPACE = re.compile(r"\s+")
LETTER = re.compile(r"[^\W\d_]")
MIN_WORDS = 2
MIN_LETTERS = 8


def normalise(text):
    return SPACE.sub(" ", text).strip()


def read_catalogue(path=None):
    """[(msgids, msgstrs)] of the translated, current, not fuzzy entries of a .po file (entries
    are separated by blank lines, as makemessages writes them): the msgid and msgid_plural, and
    the msgstr or every msgstr[n]."""
    entries = []
    for block in re.split(r"\n\s*\n", (path or CATALOGUE).read_text(encoding="utf-8")):
        fields, key, fuzzy = {}, None, False
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
            elif line.startswith("msg"):
                key, _, value = line.partition(" ")
                fields[key] = ast.literal_eval(value)
        ids = [fields[k] for k in ("msgid", "msgid_plural") if fields.get(k)]
        strs = [v for k, v in fields.items() if k.startswith("msgstr") and v]
        if ids and strs and not fuzzy:
            entries.append((ids, strs))
    return entries


def pieces(message):
    """The literal pieces of a message worth looking for: tags and placeholders cut out."""
    message = TAG.sub("\x00", message)
    found = []
    for piece in PLACEHOLDER.split(message):
        for part in piece.split("\x00"):
            part = normalise(part).strip(" ,.;:·—–-()\"'„”")
            if len(part.split()) >= MIN_WORDS and len(LETTER.findall(part)) >= MIN_LETTERS:
                found.append(part)
    return found


class LanguageChecker:
    """The phrases of each language of the catalogue, and a search for them in a page."""

    def __init__(self, path=None):
        self.entries = read_catalogue(path)

    @cached_property
    def phrases(self):
        """{"en": English phrases, "pl": Polish phrases}, the ambiguous ones left out."""
        english = {p for ids, _strs in self.entries for m in ids for p in pieces(m)}
        polish = {p for _ids, strs in self.entries for m in strs for p in pieces(m)}
        all_english = " \x00 ".join(normalise(m) for ids, _ in self.entries for m in ids)
        all_polish = " \x00 ".join(normalise(m) for _, strs in self.entries for m in strs)
        return {
            "en": sorted(p for p in english if not self._within(p, all_polish)),
            "pl": sorted(p for p in polish if not self._within(p, all_english)),
        }

    @staticmethod
    def _pattern(phrase):
        first, rest = phrase[0], re.escape(phrase[1:])
        if first.lower() != first.upper():  # the first letter in either case (a capfirst)
            first = f"[{re.escape(first.lower())}{re.escape(first.upper())}]"
        else:
            first = re.escape(first)
        return first + rest

    def _within(self, phrase, text):
        return re.search(rf"(?<!\w){self._pattern(phrase)}(?!\w)", text) is not None

    @cached_property
    def _searches(self):
        """One regular expression per language, longest phrases first."""
        return {
            language: re.compile(
                r"(?<!\w)(?:"
                + "|".join(self._pattern(p) for p in sorted(phrases, key=len, reverse=True))
                + r")(?!\w)"
            )
            for language, phrases in self.phrases.items()
        }

    def leaks(self, html, language):
        """The phrases of the other language in the visible text of `html` shown in
        `language` ("pl" or "en"), in the order they appear."""
        other = "en" if language == "pl" else "pl"
        return list(dict.fromkeys(self._searches[other].findall(visible_text(html))))


class _TextExtractor(HTMLParser):
    """Text nodes, each element's text a piece of its own ("\\x00" between them), and the
    attributes that are read."""

    HIDDEN = {"script", "style", "template"}
    READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.attributes = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.parts.append("\x00")
        if tag in self.HIDDEN:
            self.hidden += 1
        self.attributes.extend(read_attributes(tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.parts.append("\x00")
        self.attributes.extend(read_attributes(tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        self.parts.append("\x00")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def read_attributes(tag, attrs):
    """The values of a tag's attributes that a person reads or hears."""
    values = [attrs[name] for name in _TextExtractor.READ_ATTRIBUTES if attrs.get(name)]
    if attrs.get("value") and (
        tag == "button" or (tag == "input" and attrs.get("type") in {"submit", "button", "reset"})
    ):
        values.append(attrs["value"])
    return values


# Inline elements do not break a phrase ("<strong>3</strong> days ago").
INLINE = re.compile(
    r"<(/?)(a|abbr|b|bdi|cite|code|em|i|kbd|mark|q|s|small|span|strong|sub|sup|time|u|var|wbr|br)"
    r"\b([^>]*)>",
    re.IGNORECASE,
)
ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def visible_text(html):
    """The text of a page as it is read: one line per element's text (inline elements such as
    a, strong, span or time kept inside their sentence), then the attributes that are read."""
    inline_attributes = []

    def drop(match):
        attrs = {name.lower(): unescape(a or b) for name, a, b in ATTRIBUTE.findall(match[3])}
        inline_attributes.extend(read_attributes(match[2].lower(), attrs))
        return " " if match[2].lower() == "br" else ""

    extractor = _TextExtractor()
    extractor.feed(INLINE.sub(drop, html))
    extractor.close()
    lines = ["".join(extractor.parts).split("\x00"), extractor.attributes, inline_attributes]
    return "\n".join(normalise(text) for group in lines for text in group if text.strip())


# Polish that speaks to or of a person as a man or as a woman: the second person of the past
# ("zapomniałeś", "otrzymałaś/eś"), the doublets ("zapisał(a)", "aktywny/a", "zalogowany/-a",
# "mógł/mogła"), "jesteś pewien", the reader's role as a woman's or a man's title ("jako
# ekspertka CAL"). Pages say it the same for everyone ("Nie pamiętasz hasła?", "zalogowano").
GENDERED = re.compile(
    r"\b\w+(?:łeś|łaś|łbyś|łabyś)\b"
    r"|\b\w+ł ?\((?:a|am|aś)\)"
    r"|\b\w+(?:ny|ty|wy|ły|ni|ci) ?/ ?-?(?:a|na|ta|ła)\b"
    r"|\b\w+(?:na|ta|wa|ła) ?/ ?-?(?:y|ny|ty)\b"
    r"|\bmógł ?/ ?mogła\b|\bmogła ?/ ?mógł\b"
    r"|\bjesteś (?:pewien|pewna|pewny)\b"
    r"|\b(?:zalogowany|zalogowana) jako\b"
    r"|\bjako (?:ekspert|koordynator|animator|bibliotekar)\w*\b(?!@|\.\w)",
    re.IGNORECASE,
)


def gendered(html):
    """The words of a Polish page's visible text that address or name a person by gender."""
    return list(dict.fromkeys(m.group(0) for m in GENDERED.finditer(visible_text(html))))
