"""Award and decline letters, as plain text.

The text is made once, when the panel decides, and stored on ``Decision.letter`` through
the money service's ``letter=`` argument, so the applicant always sees the letter exactly
as it was sent, even if the templates here change later. Plain text keeps it safe to show
anywhere (pages escape it) and to e-mail or print as it is.
"""

from datetime import date

from django.template import Context, Engine
from django.utils import timezone

from hub.grants.models import Application
from hub.grants.services.money import pounds

# A private engine with autoescape off: the letter is plain text and is escaped when shown.
_ENGINE = Engine(autoescape=False)

AWARD_TEMPLATE = """\
{{ council }}
{{ today|date:"j F Y" }}

To: {{ organisation }}
Our reference: {{ reference }}
Fund: {{ fund }}

Dear {{ organisation }},

Grant award: {{ title }}

We are pleased to tell you that the grants panel has awarded {{ organisation }} a grant of \
{{ amount }} ({{ amount_words }}) from the {{ fund }} for "{{ title }}".

Why the panel made this award
{{ reasons }}
{% if conditions %}
Conditions of the grant
{{ conditions }}
{% endif %}
Accepting and using the grant
- Spend the grant only on the purposes set out in your application, as agreed with the panel.
- Payment will be made in the instalments we agree with you. Tell us straight away if your \
plans change or if you cannot spend the grant as agreed.
- Any money not spent on the agreed purposes must be repaid, and we may recover it.

Monitoring
We will ask you for monitoring reports on the progress you have made against the outcomes \
in your application and on how the money was spent{% if ends_on %}, with a final report \
after the project ends on {{ ends_on|date:"j F Y" }}{% endif %}. Please keep receipts and \
records of spending and of the people and groups you help; we may ask to see them.

Please quote {{ reference }} in all correspondence about this grant.

Yours sincerely,

The grants team
{{ council }}
"""

DECLINE_TEMPLATE = """\
{{ council }}
{{ today|date:"j F Y" }}

To: {{ organisation }}
Our reference: {{ reference }}
Fund: {{ fund }}

Dear {{ organisation }},

Your application: {{ title }}

Thank you for applying to the {{ fund }}. We are sorry to tell you that the grants panel \
has decided not to award a grant for "{{ title }}".

Why the panel made this decision
{{ reasons }}

Feedback
We would be glad to talk you through the panel's feedback and to help you with a future \
application, to this fund or another. Reply to the grants team within 28 days, quoting \
{{ reference }}, and we will arrange a conversation.

Yours sincerely,

The grants team
{{ council }}
"""

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = [(10**9, "billion"), (10**6, "million"), (1000, "thousand")]


def _under_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(f"{_ONES[hundreds]} hundred")
    if rest:
        if rest < 20:
            words = _ONES[rest]
        else:
            tens, ones = divmod(rest, 10)
            words = _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
        parts.append(("and " if hundreds else "") + words)
    return " ".join(parts)


def number_in_words(n: int) -> str:
    """British English words for a whole number: 2501 -> 'two thousand five hundred and one'."""
    if n < 0:
        return "minus " + number_in_words(-n)
    if n == 0:
        return "zero"
    parts = []
    for size, name in _SCALES:
        if n >= size:
            count, n = divmod(n, size)
            parts.append(f"{number_in_words(count)} {name}")
    if n:
        words = _under_thousand(n)
        # "two thousand and five", as British English says it.
        if parts and n < 100:
            words = f"and {words}"
        parts.append(words)
    return " ".join(parts)


def amount_in_words(pence: int) -> str:
    """'two thousand five hundred pounds and fifty pence'."""
    whole, part = divmod(pence, 100)
    pounds_words = f"{number_in_words(whole)} pound{'' if whole == 1 else 's'}"
    pence_words = f"{number_in_words(part)} {'penny' if part == 1 else 'pence'}"
    if not part:
        return pounds_words
    return f"{pounds_words} and {pence_words}" if whole else pence_words


def _context(application: Application, reasons: str, today: date | None) -> dict:
    return {
        "council": application.fund.owner.name,
        "today": today or timezone.localdate(),
        "organisation": application.organisation.name,
        "reference": application.reference,
        "fund": application.fund.name,
        "title": application.title,
        "reasons": reasons.strip(),
        "ends_on": application.ends_on,
    }


def award_letter(
    *,
    application: Application,
    amount_pence: int,
    reasons: str,
    conditions: str = "",
    today: date | None = None,
) -> str:
    """The award letter: organisation, reference, the amount in figures and words, the
    panel's reasons, the conditions and what monitoring to expect."""
    context = _context(application, reasons, today) | {
        "amount": pounds(amount_pence),
        "amount_words": amount_in_words(amount_pence),
        "conditions": conditions.strip(),
    }
    return _ENGINE.from_string(AWARD_TEMPLATE).render(Context(context))


def decline_letter(*, application: Application, reasons: str, today: date | None = None) -> str:
    """The decline letter: the panel's reasons and an offer of feedback."""
    return _ENGINE.from_string(DECLINE_TEMPLATE).render(
        Context(_context(application, reasons, today))
    )
