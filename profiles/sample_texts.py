"""The sample profiles' texts in each portal language, for `profiles.sample_data`.

A sample profile is written in its original language (most in English, one in
French, one in Arabic) and some carry translations, made here from the same
phrases, so `/fr/`, `/es/` and `/ar/` show real content in their language and
the translation workflow (current, missing, stale) can be seen on the sample site.
Every text says it is sample data, in its own language.
"""

from dataclasses import dataclass

from django.utils import translation

from indicators.models import Indicator
from profiles.models import AnswerValue, Government


@dataclass(frozen=True)
class Phrases:
    """One language's sample sentences; `{name}` is the government's name in that language."""

    note: str
    introduction: str
    summary: str
    justification: str
    evidence: str
    well_developed: str
    potential: str
    source: str
    issuer: str
    figure_source: str
    figure_unit: str
    follow_up_note: str
    validator: str
    validator_title: str
    ministry: str
    statement: str
    changed: str
    answers: dict[str, str]
    sources: dict[str, str]
    units: dict[str, str]


PHRASES = {
    "en": Phrases(
        note="Sample data: invented for demonstration, not an IOM result.",
        introduction=(
            "{note} This profile of {name} shows what a Migration Governance Profile looks "
            "like on this portal. It was generated for round {number} ({year})."
        ),
        summary=(
            "{note} In this invented assessment, {name} has well-developed areas in several "
            "dimensions and areas with potential for further development in others."
        ),
        justification=(
            "Sample justification for {code}: the invented legal framework of {name} makes "
            "this {answer}."
        ),
        evidence="{source}, article {article}",
        well_developed="(Sample) {name} has a framework in place: {question}.",
        potential="(Sample) {name} could develop this further: {question}.",
        source="Sample {title} of {name}",
        issuer="Government of {name} (sample)",
        figure_source="Sample figure (invented, not real data)",
        figure_unit="{unit}",
        follow_up_note="(Sample) Progress since {year} as recorded in this invented round.",
        validator="Sample Validator of {name}",
        validator_title="Director of Migration Policy (sample)",
        ministry="Ministry of the Interior (sample)",
        statement="On behalf of the government, I validate this (sample) profile.",
        changed="Updated after it was translated (sample).",
        answers={
            AnswerValue.FULLY: "fully present",
            AnswerValue.PARTIALLY: "partially present",
            AnswerValue.ABSENT: "absent",
            AnswerValue.NOT_APPLICABLE: "not applicable",
        },
        sources={},
        units={},
    ),
    "fr": Phrases(
        note="Données d'exemple : inventées pour la démonstration, pas un résultat de l'OIM.",
        introduction=(
            "{note} Ce profil de {name} montre à quoi ressemble un profil de gouvernance des "
            "migrations sur ce portail. Il a été créé pour le cycle {number} ({year})."
        ),
        summary=(
            "{note} Dans cette évaluation inventée, {name} a des domaines bien développés dans "
            "plusieurs dimensions et des domaines pouvant être développés dans d'autres."
        ),
        justification=(
            "Justification d'exemple pour {code} : le cadre juridique inventé de {name} rend "
            "cet élément {answer}."
        ),
        evidence="{source}, article {article}",
        well_developed="(Exemple) {name} dispose d'un cadre en la matière : {question}",
        potential="(Exemple) {name} pourrait développer davantage ce point : {question}",
        source="{title} de {name} (exemple)",
        issuer="Gouvernement de {name} (exemple)",
        figure_source="Chiffre d'exemple (inventé, pas une donnée réelle)",
        figure_unit="{unit}",
        follow_up_note="(Exemple) Progrès depuis {year} tels que relevés dans ce cycle inventé.",
        validator="Validatrice d'exemple de {name}",
        validator_title="Directrice de la politique migratoire (exemple)",
        ministry="Ministère de l'Intérieur (exemple)",
        statement="Au nom du gouvernement, je valide ce profil (d'exemple).",
        changed="Mis à jour après sa traduction (exemple).",
        answers={
            AnswerValue.FULLY: "pleinement présent",
            AnswerValue.PARTIALLY: "partiellement présent",
            AnswerValue.ABSENT: "absent",
            AnswerValue.NOT_APPLICABLE: "sans objet",
        },
        sources={
            "Migration Act": "Loi sur les migrations",
            "National Migration Policy": "Politique nationale de migration",
            "Labour Mobility Agreement": "Accord de mobilité de la main-d'œuvre",
            "Decree on Residence Permits": "Décret sur les titres de séjour",
        },
        units={"people": "personnes", "USD million": "millions d'USD"},
    ),
    "es": Phrases(
        note="Datos de ejemplo: inventados para la demostración, no son un resultado de la OIM.",
        introduction=(
            "{note} Este perfil de {name} muestra cómo es un perfil de gobernanza de la "
            "migración en este portal. Se generó para la ronda {number} ({year})."
        ),
        summary=(
            "{note} En esta evaluación inventada, {name} tiene áreas bien desarrolladas en "
            "varias dimensiones y áreas con potencial de desarrollo en otras."
        ),
        justification=(
            "Justificación de ejemplo para {code}: el marco jurídico inventado de {name} hace "
            "que esto esté {answer}."
        ),
        evidence="{source}, artículo {article}",
        well_developed="(Ejemplo) {name} cuenta con un marco al respecto: {question}",
        potential="(Ejemplo) {name} podría desarrollar más este aspecto: {question}",
        source="{title} de {name} (ejemplo)",
        issuer="Gobierno de {name} (ejemplo)",
        figure_source="Cifra de ejemplo (inventada, no es un dato real)",
        figure_unit="{unit}",
        follow_up_note="(Ejemplo) Avances desde {year} según constan en esta ronda inventada.",
        validator="Validadora de ejemplo de {name}",
        validator_title="Directora de Política Migratoria (ejemplo)",
        ministry="Ministerio del Interior (ejemplo)",
        statement="En nombre del gobierno, valido este perfil (de ejemplo).",
        changed="Actualizado después de su traducción (ejemplo).",
        answers={
            AnswerValue.FULLY: "plenamente presente",
            AnswerValue.PARTIALLY: "parcialmente presente",
            AnswerValue.ABSENT: "ausente",
            AnswerValue.NOT_APPLICABLE: "no aplicable",
        },
        sources={
            "Migration Act": "Ley de Migración",
            "National Migration Policy": "Política Nacional de Migración",
            "Labour Mobility Agreement": "Acuerdo de Movilidad Laboral",
            "Decree on Residence Permits": "Decreto sobre Permisos de Residencia",
        },
        units={"people": "personas", "USD million": "millones de USD"},
    ),
    "ar": Phrases(
        note="بيانات نموذجية: مختلقة لأغراض العرض، وليست نتيجة للمنظمة الدولية للهجرة.",
        introduction=(
            "{note} يبيّن ملف {name} هذا شكل ملف حوكمة الهجرة على هذه البوابة. "
            "وقد أُعدّ للجولة {number} ({year})."
        ),
        summary=(
            "{note} في هذا التقييم المختلق، لدى {name} مجالات متطورة في عدة أبعاد "
            "ومجالات قابلة لمزيد من التطوير في أبعاد أخرى."
        ),
        justification=(
            "تعليل نموذجي للمؤشر {code}: الإطار القانوني المختلق لـ{name} يجعل هذا العنصر {answer}."
        ),
        evidence="{source}، المادة {article}",
        well_developed="(نموذج) لدى {name} إطار قائم في هذا الشأن: {question}",
        potential="(نموذج) يمكن لـ{name} تطوير هذا الجانب: {question}",
        source="{title} في {name} (نموذج)",
        issuer="حكومة {name} (نموذج)",
        figure_source="رقم نموذجي (مختلق، ليس بيانات حقيقية)",
        figure_unit="{unit}",
        follow_up_note="(نموذج) التقدم المحرز منذ {year} كما سُجّل في هذه الجولة المختلقة.",
        validator="المُصادِق النموذجي عن {name}",
        validator_title="مدير سياسات الهجرة (نموذج)",
        ministry="وزارة الداخلية (نموذج)",
        statement="باسم الحكومة، أصادق على هذا الملف (النموذجي).",
        changed="حُدّث بعد ترجمته (نموذج).",
        answers={
            AnswerValue.FULLY: "قائمًا بالكامل",
            AnswerValue.PARTIALLY: "قائمًا جزئيًا",
            AnswerValue.ABSENT: "غير قائم",
            AnswerValue.NOT_APPLICABLE: "غير منطبق",
        },
        sources={
            "Migration Act": "قانون الهجرة",
            "National Migration Policy": "السياسة الوطنية للهجرة",
            "Labour Mobility Agreement": "اتفاق تنقل اليد العاملة",
            "Decree on Residence Permits": "مرسوم تصاريح الإقامة",
        },
        units={"people": "أشخاص", "%": "٪", "USD million": "مليون دولار أمريكي"},
    ),
}


def name_in(government: Government, language: str) -> str:
    """The government's display name as `language` writes it (country names are translated)."""
    with translation.override(language):
        return str(government.display_name)


def question_in(indicator: Indicator, language: str) -> str:
    """The indicator's question in `language`, without its question mark."""
    return indicator.localized("question", language).rstrip("?؟")


def source_title(title: str, name: str, language: str) -> str:
    phrases = PHRASES[language]
    return phrases.source.format(title=phrases.sources.get(title, title), name=name)


class SampleTexts:
    """Writes a sample's texts in its original language and remembers how, to translate them.

    Each text is a phrase of `profiles.sample_texts.PHRASES` with its parts (an
    indicator, an answer, a source title); the same phrase and parts in another
    language give the translation, keyed as `profiles.content.translatable_texts`.
    """

    def __init__(self, government: Government, language: str) -> None:
        self.government = government
        self.language = language
        self.recipes: dict[str, tuple[str, dict]] = {}

    def say(self, phrase: str, *, key: str = "", language: str = "", **parts) -> str:
        language = language or self.language
        if key:
            self.recipes[key] = (phrase, parts)
        phrases = PHRASES[language]
        name = name_in(self.government, language)
        values = {"name": name, "note": phrases.note, **parts}
        if "indicator" in parts:
            values["question"] = question_in(parts["indicator"], language)
        if "answer" in parts:
            values["answer"] = phrases.answers[parts["answer"]]
        if "unit" in parts:
            values["unit"] = phrases.units.get(parts["unit"], parts["unit"])
        if "title" in parts:
            values["title"] = phrases.sources.get(parts["title"], parts["title"])
            values["source"] = source_title(parts["title"], name, language)
        return getattr(phrases, phrase).format(**values)

    def translated(self, language: str) -> dict[str, str]:
        return {
            key: self.say(phrase, language=language, **parts)
            for key, (phrase, parts) in self.recipes.items()
        }
