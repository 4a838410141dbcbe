"""Invented titles, descriptions and cooperation names of the synthetic dataset.

The titles and descriptions paraphrase the pilots the 2020 report describes; which pilot
gets which text is drawn by the generator.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    """A title and description for one type; `needs` are (field, code) the pilot must have."""

    titel: str
    omschrijving: str
    jongeren: bool | None = None  # True: only for youth pilots; False: never; None: any
    needs: tuple[tuple[str, str], ...] = ()


TEMPLATES: dict[str, tuple[Template, ...]] = {
    "vroegsignalering": (
        Template(
            "Vroeg Eropaf",
            "Huisbezoeken bij inwoners met een betalingsachterstand op "
            "huur, energie of zorgpremie, op basis van signalen van signaalpartners.",
            needs=(("partners", "signaal"),),
        ),
        Template(
            "Vindplaats Schulden",
            "Signalen over betalingsachterstanden worden met "
            "data-analyse gecombineerd om huishoudens met een risico op schulden eerder "
            "in beeld te krijgen.",
        ),
        Template(
            "Vroegsignalering huurachterstanden",
            "Woningcorporaties melden "
            "huurachterstanden vroeg; een schuldhulpverlener neemt binnen enkele dagen "
            "contact op met de huurder.",
            needs=(("partners", "woningcorporatie"),),
        ),
        Template(
            "Eropaf bij achterstand zorgpremie",
            "Inwoners met een achterstand op de "
            "zorgpremie krijgen een brief en een huisbezoek met een aanbod voor hulp bij "
            "geldzaken.",
            needs=(("partners", "zorgverzekeraar"),),
        ),
        Template(
            "Vroegsignalering energieachterstanden",
            "Het energiebedrijf meldt "
            "achterstanden op de energierekening, waarna een medewerker schuldhulp "
            "contact zoekt.",
            needs=(("partners", "nutsbedrijf"),),
        ),
        Template(
            "Convenant vroegsignalering vaste lasten",
            "Afspraken met signaalpartners "
            "over het doorgeven van betalingsachterstanden op vaste lasten, gevolgd door "
            "een outreachend hulpaanbod.",
            needs=(("partners", "signaal"),),
        ),
        Template(
            "Signaalteam schulden in de wijk",
            "Een wijkteam bundelt signalen over "
            "geldzorgen en benadert huishoudens met beginnende betalingsproblemen.",
        ),
        Template(
            "Vroegsignalering jongeren",
            "Signalen over betalingsachterstanden van "
            "jongeren tot 27 jaar worden opgevolgd door een jongerencoach.",
            jongeren=True,
        ),
    ),
    "coaching_buddy": (
        Template(
            "Schuldenbuddy's",
            "Getrainde vrijwilligers helpen inwoners met schulden hun "
            "administratie op orde te brengen en te houden.",
        ),
        Template(
            "Ervaringsdeskundigen als maatje",
            "Ervaringsdeskundigen begeleiden inwoners "
            "tijdens hun schuldentraject en vergroten zo de zelfredzaamheid.",
        ),
        Template(
            "Thuisadministratie met vrijwilligers",
            "Vrijwilligers komen thuis om samen "
            "met de inwoner de post te ordenen en rekeningen op tijd te betalen.",
        ),
        Template(
            "Budgetcoaching aan huis",
            "Een budgetcoach begeleidt huishoudens enkele "
            "maanden bij het maken en volgen van een begroting.",
        ),
        Template(
            "Maatje na schuldhulp",
            "Een vrijwillig maatje blijft na afloop van het "
            "schuldentraject betrokken om terugval te voorkomen.",
            needs=(("fasen", "nazorg"),),
        ),
        Template(
            "Jongerencoach geldzaken",
            "Een jongerencoach begeleidt jongeren met schulden bij geldzaken, werk en wonen.",
            jongeren=True,
        ),
        Template(
            "Gezinscoach geldzaken",
            "Een coach ondersteunt gezinnen met kinderen bij het "
            "overzicht houden over inkomsten en uitgaven.",
            jongeren=False,
        ),
    ),
    "nieuwe_benadering": (
        Template(
            "Stress-sensitieve dienstverlening",
            "Brieven, afspraken en gesprekken worden "
            "zo ingericht dat ze minder stress veroorzaken bij inwoners met schulden.",
        ),
        Template(
            "Mobility Mentoring",
            "Coachingsmethode waarbij de inwoner samen met een "
            "mentor doelen stelt en die stap voor stap behaalt.",
        ),
        Template(
            "Inloopspreekuur geldzaken in de wijk",
            "Een vrijblijvend inloopspreekuur op "
            "een buurtlocatie, zonder afspraak en zonder aanmeldformulier.",
        ),
        Template(
            "Schuldhulpverlener op locatie",
            "Schuldhulpverleners werken op vaste dagen "
            "vanuit buurthuizen en scholen in plaats van vanuit het gemeentehuis.",
        ),
        Template(
            "In beeld na het schuldentraject",
            "Inwoners worden na afronding van een "
            "schuldentraject periodiek gebeld om te horen hoe het gaat.",
            needs=(("fasen", "nazorg"),),
        ),
        Template(
            "Verjaardagskaart bij 18 jaar",
            "Jongeren krijgen op hun 18e verjaardag een "
            "kaart met informatie over nieuwe geldzaken en waar ze terechtkunnen met "
            "vragen.",
            jongeren=True,
            needs=(("fasen", "preventie"),),
        ),
        Template(
            "Koffiemiddagen over geld",
            "Laagdrempelige bijeenkomsten waar inwoners in "
            "een informele setting vragen over geldzaken kunnen stellen.",
        ),
        Template(
            "Eén vast aanspreekpunt schulden",
            "Elke inwoner met schulden heeft één vaste "
            "contactpersoon die de betrokken hulpverleners op elkaar afstemt.",
        ),
    ),
    "perspectieffonds": (
        Template(
            "Jongerenperspectieffonds",
            "Schulden van jongeren worden gesaneerd in "
            "combinatie met een traject naar school of werk; een deel van de schuld kan "
            "worden kwijtgescholden.",
            jongeren=True,
        ),
        Template(
            "Schuldenvrije start voor jongeren",
            "Een fonds lost de schulden van jongeren "
            "in één keer af; de jongere betaalt naar vermogen terug en volgt intussen een "
            "opleiding of werkt.",
            jongeren=True,
        ),
        Template(
            "Jongerenfonds weer op de rit",
            "Jongeren met problematische schulden krijgen "
            "een aflossingsregeling via een fonds en begeleiding naar werk.",
            jongeren=True,
        ),
        Template(
            "Perspectieffonds",
            "Een fonds koopt schulden op, zodat inwoners nog maar met "
            "één schuldeiser te maken hebben en sneller perspectief krijgen.",
            jongeren=False,
        ),
        Template(
            "Saneringsfonds",
            "Een gemeentelijk fonds maakt snelle schuldsanering mogelijk "
            "door schulden over te nemen en af te lossen.",
            jongeren=False,
        ),
    ),
    "educatietool": (
        Template(
            "Gastlessen geldzaken door peer-educators",
            "Jongeren met eigen ervaring met "
            "geldproblemen geven gastlessen over geldzaken op scholen.",
            jongeren=True,
        ),
        Template(
            "Geldlessen op het mbo",
            "Lessen over geldzaken en de nieuwe "
            "verantwoordelijkheden vanaf 18 jaar voor studenten op het mbo.",
            jongeren=True,
        ),
        Template(
            "Workshops omgaan met geld",
            "Korte workshops voor inwoners over begroten, "
            "sparen en het voorkomen van betalingsachterstanden.",
        ),
        Template(
            "Interactief geldspel",
            "Een spel waarin deelnemers oefenen met keuzes over "
            "inkomsten, uitgaven en onverwachte kosten.",
        ),
        Template(
            "Budgetcursus voor ouders",
            "Een cursus voor ouders over geldzaken in het gezin "
            "en over praten met kinderen over geld.",
            jongeren=False,
        ),
    ),
    "digitaal_product": (
        Template(
            "App met geldtips",
            "Een app met praktische tips om geld te besparen en "
            "betalingsachterstanden te voorkomen.",
        ),
        Template(
            "Digitaal huishoudboekje",
            "Een online huishoudboekje waarmee inwoners hun "
            "inkomsten en uitgaven bijhouden, ook na afloop van de schuldhulp.",
        ),
        Template(
            "Online inzicht in het schuldhulptraject",
            "Inwoners volgen online de stappen en de voortgang van hun schuldhulptraject.",
        ),
    ),
    "overig": (
        Template(
            "Energiecoach", "Een energiecoach geeft advies aan huis om de woonlasten te verlagen."
        ),
        Template(
            "Workshop zelf schuldeisers bellen",
            "Onder begeleiding bellen deelnemers zelf "
            "hun schuldeisers om de hoogte van hun schulden te inventariseren.",
            needs=(("fasen", "curatie"),),
        ),
        Template(
            "Vlogs over financiële zaken",
            "Korte vlogs laten verschillende doelgroepen "
            "zien waar zij terechtkunnen voor hulp bij geldzaken.",
        ),
        Template(
            "Werkgeversaanpak loonbeslag",
            "Werkgevers die een loonbeslag ontvangen, "
            "wijzen werknemers actief op het hulpaanbod van de gemeente.",
        ),
        Template(
            "Geldspreekuur in het gezondheidscentrum",
            "Een schuldhulpverlener houdt "
            "spreekuur in gezondheidscentra, waar geldzorgen vaak als eerste opvallen.",
        ),
    ),
}

PARTNER_PHRASES = {
    "sociaal_werk": "het sociaal werk",
    "woningcorporatie": "woningcorporaties",
    "zorgverzekeraar": "zorgverzekeraars",
    "nutsbedrijf": "energiebedrijven",
    "bedrijfsleven": "het bedrijfsleven",
    "overig": "andere partijen",
}

COOP_NAME_PATTERNS = (
    "Samenwerkingsverband {a} e.o.",
    "Samenwerkingsverband {a} e.o.",
    "Intergemeentelijke sociale dienst {a} e.o.",
    "Regionale schuldhulpverlening {a} e.o.",
)
