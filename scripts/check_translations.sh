#!/usr/bin/env bash
# Fails when a string in the code or templates has no Polish translation (or a fuzzy one).
# Runs makemessages on a scratch copy of the catalogue, so the working tree is left as it was.
set -euo pipefail
cd "$(dirname "$0")/.."
po=locale/pl/LC_MESSAGES/django.po
backup=$(mktemp)
cp "$po" "$backup"
trap 'cp "$backup" "$po"; rm -f "$backup"' EXIT
.venv/bin/python manage.py makemessages -l pl --ignore=.venv --ignore=staticfiles \
    --ignore=build --ignore=node_modules --no-obsolete --verbosity 0
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$po" 2>&1)
echo "Polish catalogue: $stats"
if grep -Eq '(untranslated|fuzzy)' <<<"$stats"; then
    echo "Some strings have no Polish translation: run 'make messages' and translate them in $po." >&2
    msgattrib --only-fuzzy "$po" 2>/dev/null | grep '^msgid' | head -20 >&2 || true
    msgattrib --untranslated "$po" | grep '^msgid' | head -40 >&2 || true
    exit 1
fi
