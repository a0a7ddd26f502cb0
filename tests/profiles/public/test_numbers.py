"""Numbers a reader sees are grouped as their language groups them (10,000 / 10 000 / 10.000).

`USE_THOUSAND_SEPARATOR` stays off (it would print years as "2,023"), so a count is
grouped where it is shown; inside `{% blocktranslate count %}` the count only picks
the plural form and the number shown is bound through `intcomma`.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

NNBSP = "\u00a0"  # Django's French and Spanish thousands separator
BLOCK = re.compile(
    r"\{% blocktrans(?:late)?\b(?P<options>[^%]*)%\}(?P<body>.*?)\{% endblocktrans(?:late)? %\}",
    re.DOTALL,
)


@pytest.mark.parametrize(
    ("prefix", "rate", "said"),
    [
        ("", "1000/hour", "1,000 requests an hour"),
        ("/fr", "1000/hour", f"1{NNBSP}000 requêtes par heure"),
        ("/es", "1/second", "1 solicitud por segundo"),
        ("/ar", "10000/day", "10.000 طلب في اليوم"),
        ("/fr", "25000/minute", f"25{NNBSP}000 requêtes par minute"),
    ],
)
def test_the_data_page_says_the_api_rate_limit_in_words(client, settings, prefix, rate, said):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": rate},
    }
    html = client.get(f"{prefix}/data/").content.decode()
    assert said in html
    assert rate not in html


def test_no_blocktranslate_count_shows_its_ungrouped_counter():
    """The variable after `count` picks the plural; showing it prints 10000 in every language."""
    offenders = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for block in BLOCK.finditer(path.read_text(encoding="utf-8")):
            counted = re.search(r"\bcount\s+(\w+)\s*=", block["options"])
            if counted and re.search(r"\{\{\s*" + counted[1] + r"\s*\}\}", block["body"]):
                offenders.append(f"{path.name}: {{{{ {counted[1]} }}}}")
    assert offenders == []
