"""Libraries in and out of spreadsheets (admin): CAL's list of libraries, matched on the TERC code.

The voivodeship comes from the first two digits of the TERC code and the gmina type from the
seventh. Librarians are given by e-mail; an unknown e-mail gets a librarian's account without a
password (invitations are sent from the people page). Every lead library gets its partnership
in the current round. The columns are listed in the README ("Import and export").
"""

import re

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export.fields import Field

from libraries.models import TERC, GminaType, Library, LibraryKind, Voivodeship
from libraries.services import libraries_create_imported, library_save_imported
from partnerships.models import Partnership, Round
from prb_partnerships.importexport import (
    ChoiceWidget,
    FileProblem,
    ListWidget,
    ParsedField,
    SpreadsheetResource,
    TextWidget,
    accounts_note,
    add_error,
    cell_text,
    check_email,
    export_resource,
    in_chunks,
    label,
    split_list,
)
from prb_partnerships.roles import Role

User = get_user_model()


class TercWidget(TextWidget):
    """A TERC code as text; a code whose leading zero a spreadsheet dropped (201013 for
    0201013, a number in Excel) gets it back."""

    def clean(self, value, row=None, **kwargs):
        text = re.sub(r"\s", "", cell_text(value))
        if len(text) == 6 and text.isdigit():
            text = "0" + text
        return text


class WebsiteWidget(TextWidget):
    """An address without "https://" (as people write it) gets it."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text and not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
            text = "https://" + text
        return text


class LibrariansWidget(ListWidget):
    """Librarians by e-mail, separated by commas, semicolons or line breaks."""

    def label(self, user):
        return getattr(user, "email", user)  # an account, or an e-mail read from the file

    def clean(self, value, row=None, **kwargs):
        emails = []
        for email in split_list(value):
            email = email.lower()
            check_email(email)
            if email not in emails:
                emails.append(email)
        return emails


class LibraryResource(SpreadsheetResource):
    name = Field(attribute="name", column_name="Nazwa biblioteki", widget=TextWidget())
    kind = Field(
        attribute="kind",
        column_name="Rodzaj",
        widget=ChoiceWidget(
            LibraryKind,
            aliases={
                "wiodąca": LibraryKind.LEAD,
                "partnerska": LibraryKind.PARTNER,
                "lead": LibraryKind.LEAD,
                "partner": LibraryKind.PARTNER,
            },
        ),
        default=LibraryKind.LEAD,
    )
    terc = Field(attribute="terc", column_name="Kod TERC", widget=TercWidget())
    gmina = Field(attribute="gmina", column_name="Gmina", widget=TextWidget())
    powiat = Field(attribute="powiat", column_name="Powiat", widget=TextWidget())
    town = Field(attribute="town", column_name="Miejscowość", widget=TextWidget())
    address = Field(attribute="address", column_name="Adres", widget=TextWidget())
    postal_code = Field(attribute="postal_code", column_name="Kod pocztowy", widget=TextWidget())
    email = Field(attribute="email", column_name="E-mail", widget=TextWidget())
    phone = Field(attribute="phone", column_name="Telefon", widget=TextWidget())
    website = Field(attribute="website", column_name="Strona WWW", widget=WebsiteWidget())
    librarians = ParsedField(
        attribute="librarians", column_name="E-maile bibliotekarek", widget=LibrariansWidget()
    )
    # Exported, and ignored on import (they follow from the TERC code).
    voivodeship = Field(
        attribute="voivodeship__name", column_name="Województwo", readonly=True,
        widget=TextWidget(),
    )
    gmina_type = Field(
        attribute="get_gmina_type_display", column_name="Typ gminy", readonly=True,
        widget=TextWidget(),
    )

    required_columns = ("Nazwa biblioteki", "Kod TERC", "Gmina", "Powiat", "Miejscowość")
    aliases = {
        "Nazwa biblioteki": ("Nazwa", "Biblioteka", "Library", "Library name"),
        "Rodzaj": ("Rodzaj biblioteki", "Kind"),
        "Kod TERC": ("TERC", "Kod TERC gminy", "TERC code"),
        "Miejscowość": ("Town",),
        "Adres": ("Address",),
        "Kod pocztowy": ("Postal code",),
        "E-mail": ("E-mail biblioteki", "Adres e-mail"),
        "Telefon": ("Tel.", "Telefon biblioteki", "Phone"),
        "Strona WWW": ("WWW", "Strona internetowa", "Website"),
        "E-maile bibliotekarek": (
            "E-mail bibliotekarki",
            "Bibliotekarki",
            "E-maile bibliotekarzy",
            "Librarians",
        ),
    }
    error_columns = {"voivodeship": "Kod TERC", "gmina_type": "Kod TERC"}
    unvalidated_fields = ("voivodeship", "gmina_type")
    column_help = [
        ("Nazwa biblioteki", True, gettext_lazy("the library's name"),
         "Gminna Biblioteka Publiczna w Poroninie"),
        ("Rodzaj", False, gettext_lazy("a lead library (the default) or a partner library"),
         "wiodąca, partnerska"),
        (
            "Kod TERC",
            True,
            gettext_lazy(
                "the gmina's 7-digit TERC code; the voivodeship and the gmina type follow "
                "from it"
            ),
            "1217052",
        ),
        ("Gmina", True, "", "Poronin"),
        ("Powiat", True, "", "tatrzański"),
        ("Miejscowość", True, "", "Poronin"),
        ("Adres", False, "", "ul. Józefa Piłsudskiego 5"),
        ("Kod pocztowy", False, "", "34-520"),
        ("E-mail", False, gettext_lazy("the library's e-mail"), "biblioteka@example.org"),
        ("Telefon", False, "", "+48 18 207 41 10"),
        ("Strona WWW", False, "", "www.example.org"),
        (
            "E-maile bibliotekarek",
            False,
            gettext_lazy(
                "the librarians' e-mails, separated by commas or semicolons; an unknown e-mail "
                "gets an account without a password, invited later from the People page"
            ),
            "jadwiga@example.org; ewa@example.org",
        ),
    ]
    match_help = gettext_lazy(
        "A library is matched on its TERC code: a known code updates the library, a new one "
        "adds it. Every lead library gets its partnership in the current round."
    )

    class Meta:
        model = Library
        fields = (
            "name", "kind", "terc", "gmina", "powiat", "town", "address", "postal_code", "email",
            "phone", "website", "librarians", "voivodeship", "gmina_type",
        )
        import_order = export_order = fields
        import_id_fields = ["terc"]

    export_select_related = ("voivodeship",)
    export_prefetch_related = ("librarians",)

    def prepare(self, dataset, **kwargs):
        self.round = Round.objects.current()
        if self.round is None:
            raise FileProblem(
                _("There is no round yet: add the round first, then import the libraries.")
            )
        self.voivodeships = {v.code: v for v in Voivodeship.objects.all()}
        tercs = self.column_values(dataset, "Kod TERC", TercWidget().clean)
        # The file's known libraries (with their librarians), its known accounts (with whether
        # they are librarians') and which libraries have their partnership in the round.
        self.known = {
            library.terc: library
            for library in in_chunks(Library.objects.prefetch_related("librarians"), "terc", tercs)
        }
        emails = self.column_values(dataset, "E-maile bibliotekarek", LibrariansWidget().clean)
        accounts = User.objects.annotate(
            lower_email=Lower("email"),
            is_librarian=Exists(
                User.groups.through.objects.filter(user=OuterRef("pk"), group__name=Role.LIBRARIAN)
            ),
        )
        self.accounts = {
            user.lower_email: user for user in in_chunks(accounts, "lower_email", emails)
        }
        self.partnered = {
            partnership.library_id
            for partnership in in_chunks(
                Partnership.objects.filter(round=self.round).only("library_id"),
                "library__terc",
                tercs,
            )
        }
        self.accounts_created = 0
        self.partnerships_created = 0
        self.new_libraries = []

    def get_instance(self, instance_loader, row):
        return self.known.get(self.fields["terc"].clean(row))

    def check_row(self, instance, row, errors, *, number):
        terc = instance.terc
        if TERC.match(terc or ""):
            self.check_unique_in_file(errors, "terc", terc, number=number, kind="terc")
            if terc[:2] in self.voivodeships:
                instance.voivodeship = self.voivodeships[terc[:2]]
            else:
                add_error(
                    errors,
                    "voivodeship",
                    _(
                        "No voivodeship has the TERYT code %(code)s (the first two digits of "
                        "the TERC code)."
                    )
                    % {"code": terc[:2]},
                )
            if terc[6] in GminaType.values:
                instance.gmina_type = terc[6]
        for email in self.pending(instance, "librarians") or ():
            self.check_unique_in_file(errors, "librarians", email, number=number, kind="librarian")
            account = self.accounts.get(email)
            if account is not None and not account.is_librarian:
                add_error(
                    errors,
                    "librarians",
                    _("%(email)s is the e-mail of an account that is not a librarian's.")
                    % {"email": email},
                )

    def save_row(self, instance, is_create, row, **kwargs):
        if instance._state.adding:  # saved with the other new libraries, after the last row
            self.new_libraries.append((instance, self.pending(instance, "librarians")))
            return
        accounts, partnership = library_save_imported(
            library=instance,
            librarian_emails=self.pending(instance, "librarians"),
            round_=self.round,
            by=kwargs.get("user"),
            accounts=self.accounts,
            partnered=self.partnered,
        )
        self.accounts_created += len(accounts)
        self.partnerships_created += partnership is not None

    def save_collected(self, **kwargs):
        if not getattr(self, "new_libraries", None):
            return
        accounts, partnerships = libraries_create_imported(
            libraries=self.new_libraries,
            round_=self.round,
            by=kwargs.get("user"),
            accounts=self.accounts,
        )
        self.accounts_created += len(accounts)
        self.partnerships_created += len(partnerships)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)  # saves the new libraries
        if kwargs.get("dry_run") or result.has_errors():
            return
        if getattr(self, "accounts_created", 0):
            result.notes.append(accounts_note(self.accounts_created))
        if getattr(self, "partnerships_created", 0):
            result.notes.append(
                ngettext(
                    "%(count)d partnership was created in the round %(round)s.",
                    "%(count)d partnerships were created in the round %(round)s.",
                    self.partnerships_created,
                )
                % {"count": self.partnerships_created, "round": self.round}
            )


VoivodeshipResource = export_resource(
    Voivodeship,
    [
        (label(Voivodeship, "code"), lambda v: v.code),
        (label(Voivodeship, "name"), lambda v: v.name),
        (label(Voivodeship, "capital"), lambda v: v.capital),
        # The admin's list annotates the number of libraries.
        (capfirst(Library._meta.verbose_name_plural), lambda v: v.library_count),
    ],
    name="VoivodeshipResource",
)
