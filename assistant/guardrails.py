"""Checks on what goes out: a reply's facts must come from its context; no personal data logged."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Numbers as a shopper reads them: 79.99, 3-5, 10023, 30 (a trailing . or , is punctuation).
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
TRACKING = re.compile(r"\b[A-Z]{2,}\d{6,}[A-Z]*\b")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Digit runs are bounded by ASCII letters and digits only: "电话是13812345678" has a CJK
# letter right before the number, which `\b` and `(?<!\w)` would treat as part of a word.
CARD = re.compile(r"(?<![A-Za-z0-9])\d(?:[ -]?\d){12,18}(?![A-Za-z0-9])")
PHONE = re.compile(r"(?<![A-Za-z0-9])\+?\d[\d ()-]{7,}\d(?![A-Za-z0-9])")
PHONE_DOTTED = re.compile(r"(?<![A-Za-z0-9.])\+?\d{1,4}(?:\.\d{2,4}){2,4}(?![A-Za-z0-9]|\.\d)")
# "DE89 3704 0044 0532 0130 00", "GB29 NWBK 6016 1331 9268 19", or any form after "IBAN".
# Tracking codes (PP7017262902US) have no spaces and no "IBAN" before them, and are kept.
IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){3,7}(?: [A-Z0-9]{1,4})?\b"
    r"|(?i:\biban\b)\W{0,3}[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b"
)
CVV = re.compile(
    r"(\b(?:cvv2?|cvc2?|csc|security code|card code|c[oó]digo de seguridad)\W{0,3}"
    r"(?:is\W{0,2}|es\W{0,2})?|安全码\W{0,2}(?:是)?)\d{3,4}(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Dates are not phone numbers: "placed 2026-11-04" stays readable in logs and summaries.
DATE = re.compile(
    r"(?<![A-Za-z0-9.-])(?:\d{4}([-/.])\d{1,2}\1\d{1,2}|\d{1,2}([-/.])\d{1,2}\2\d{4})"
    r"(?![A-Za-z0-9]|[-/.]\d)"
)


# Number words a reply may use for a policy number ("thirty days", "catorce días", "三十天").
# "one"/"uno" are left out: "the blue one" states no number.
_EN = (
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
).split()
_ES = (
    "dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
    "dieciséis diecisiete dieciocho diecinueve veinte"
).split()
NUMBER_WORDS = {word: str(i) for i, word in enumerate(_EN, start=2)}
NUMBER_WORDS |= {word: str(i) for i, word in enumerate(_ES, start=2)}
_TENS_EN = "thirty forty fifty sixty seventy eighty ninety".split()
_TENS_ES = "treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
NUMBER_WORDS |= {word: str(10 * i) for i, word in enumerate(_TENS_EN, start=3)}
NUMBER_WORDS |= {word: str(10 * i) for i, word in enumerate(_TENS_ES, start=3)}
NUMBER_WORD = re.compile(r"\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
ZH_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
ZH_NUMBER = re.compile(r"[零一二两三四五六七八九十百]+(?=[天日周个件年月%元])")


def _zh_value(text: str) -> int:
    """Value of a simple Chinese numeral: "三十" -> 30, "十四" -> 14, "五" -> 5."""
    if "百" in text:
        hundreds, _, rest = text.partition("百")
        return 100 * ZH_DIGITS.get(hundreds, 1) + (_zh_value(rest) if rest else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return 10 * ZH_DIGITS.get(tens, 1) + ZH_DIGITS.get(ones, 0)
    return ZH_DIGITS.get(text[-1], 0)


def _numbers(text: str) -> set[str]:
    found = {n.replace(",", ".").rstrip(".") for n in NUMBER.findall(text)}
    found |= {NUMBER_WORDS[w.lower()] for w in NUMBER_WORD.findall(text)}
    found |= {str(_zh_value(n)) for n in ZH_NUMBER.findall(text)}
    return found


def unsupported_facts(reply: str, context: str) -> list[str]:
    """Numbers and tracking codes in `reply` that do not appear in `context`.

    A reply that states a price, a number of days or an order number its context lacks is
    treated as invented; the caller replaces it with an answer built from the data.
    """
    known = _numbers(context)
    missing = sorted(n for n in _numbers(reply) if n not in known)
    missing += sorted(t for t in TRACKING.findall(reply) if t not in context)
    return missing


# An explicit request for a person must always reach one, whatever the intent model says.
HUMAN_REQUEST = re.compile(
    r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|some\s*one|your\s+)?"
    r"(?:real\s+|live\s+)?(?:person|human|agent|someone|representative|manager|staff)"
    r"|\b(?:human|live|real)\s+(?:agent|person|support)\b"
    r"|\bhablar\s+con\s+(?:una\s+persona|un\s+agente|alguien|un\s+humano)"
    r"|人工客服|转人工|真人",
    re.IGNORECASE,
)


def wants_human(message: str) -> bool:
    """True when the shopper explicitly asks for a person."""
    return bool(HUMAN_REQUEST.search(message))


WORD = re.compile(r"[^\W\d_]{4,}")
COMMON = frozenset(
    "that this with your have will from they them there their what when which would could "
    "should about also just more some than then into only very like make made been were "
    "each other these those here sure help happy please thank thanks know able need".split()
)


def off_context_share(reply: str, context: str) -> float:
    """Share of the reply's content words (4+ letters, not common) absent from the context.

    A grounded reply re-uses the words of the entry it answers from; a reply that drifts
    into its own story (weather, traffic, GPS) scores high.
    """
    words = [w for w in WORD.findall(reply.lower()) if w not in COMMON]
    if not words:
        return 0.0
    known = set(WORD.findall(context.lower()))
    stems = {w[:5] for w in known}
    missing = [w for w in words if w not in known and w[:5] not in stems]
    return len(missing) / len(words)


# Prompt scaffolding a reply must not echo: the "[faq_id]" tags of `prompts.faq_context`,
# brackets, and HTML-like markup ("refund-timing.en</script>").
CONTEXT_TAG = re.compile(r"\[([^\[\]\s]{1,80})\]")
MARKUP = re.compile(r"</?[A-Za-z!][^<>]{0,200}>|[\[\]{}<>]")
MIN_GROUNDED_WORDS = 2


def _content_words(text: str) -> list[str]:
    return [w for w in WORD.findall(text.lower()) if w not in COMMON]


def echoes_scaffolding(reply: str, context: str) -> bool:
    """True when `reply` copies the prompt instead of answering from it.

    That is: it names an id tag of the context, contains markup or brackets, or holds fewer
    than `MIN_GROUNDED_WORDS` content words of the context's text (tags left out), so a reply
    that is only "refund-timing.en", or that id on seven lines, is not taken as an answer.
    """
    tags = set(CONTEXT_TAG.findall(context))
    lowered = reply.lower()
    if MARKUP.search(reply) or any(tag.lower() in lowered for tag in tags):
        return True
    known = set(_content_words(CONTEXT_TAG.sub(" ", context)))
    if len(known) < MIN_GROUNDED_WORDS:
        return False
    stems = {w[:5] for w in known}
    grounded = {w for w in _content_words(reply) if w in known or w[:5] in stems}
    return len(grounded) < MIN_GROUNDED_WORDS


def echoes_question(reply: str, question: str) -> bool:
    """True when `reply` mostly repeats the shopper's question ("Do you ship to Canada?" back
    to them), or starts in the middle of a sentence (a fragment copied from the context)."""
    if reply[:1].isascii() and reply[:1].islower():
        return True
    words = _content_words(reply)
    if not words:
        return False
    asked = set(_content_words(question))
    return sum(1 for w in words if w in asked) / len(words) >= ECHO_SHARE


ECHO_SHARE = 0.6

# Negation flips: "unused" in the context, "used" in the reply; "not refundable" against
# "refundable". Prefixes and words that turn a word into its opposite.
NEGATING_PREFIXES = ("non-", "non", "un", "in", "im", "dis")
NEGATING_WORDS = frozenset("not no never cannot without nunca sin".split())
LINKING_WORDS = frozenset("be is are was were been a an the to get any".split())
# Words that only look prefixed: "unless" is not the opposite of "less", nor "inform" of "form".
LOOKALIKES = frozenset(
    "unless until inform information inside income inbox input intend indeed import important "
    "improve impact impress display discount dispatch dispose discover discuss invest instead "
    "install instant insight inspect insure insurance include including invoice".split()
)
TOKEN = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


def _polarities(text: str) -> dict[str, set[bool]]:
    """Each word of `text` with whether it stands negated ("not used", "never be refunded")."""
    found: dict[str, set[bool]] = {}

    def negating(token: str) -> bool:
        return token in NEGATING_WORDS or token.endswith("n't")

    # A negation reaches to the end of its clause only: "No, sale items ..." negates nothing.
    for clause in re.split(r"[,.;:!?。，；：！？]", text):
        tokens = [t.lower() for t in TOKEN.findall(clause)]
        for i, token in enumerate(tokens):
            before = tokens[i - 1] if i else ""
            negated = negating(before) or (
                before in LINKING_WORDS and i >= 2 and negating(tokens[i - 2])
            )
            found.setdefault(token, set()).add(negated)
    return found


def contradicts(reply: str, context: str) -> list[str]:
    """Words of `reply` that flip a word of `context` into its opposite.

    A reply word counts when it is a context word with a negating prefix added or removed
    ("used" against "unused", "refundable" against "nonrefundable"), or when it stands after
    "not", "no" or "never" while the context states it plainly, or the other way round.
    """
    known = _polarities(context)
    flipped = []
    for word, polarity in _polarities(reply).items():
        if word in known:
            if len(word) >= 4 and not polarity & known[word]:
                flipped.append(word)
            continue
        for prefix in NEGATING_PREFIXES:
            if word in LOOKALIKES or prefix + word in LOOKALIKES:
                break
            added = prefix + word
            removed = word[len(prefix) :] if word.startswith(prefix) else ""
            if (len(word) >= 4 and added in known) or (len(removed) >= 4 and removed in known):
                flipped.append(word)
                break
    return sorted(flipped)


def repetitive(text: str, n: int = 4) -> bool:
    """True when a generated text repeats itself: under half of its word n-grams are distinct."""
    words = text.split()
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(grams) >= 8 and len(set(grams)) < 0.5 * len(grams)


def loops(text: str, context: str = "", n: int = 8) -> bool:
    """True when a word n-gram comes back in `text` more often than in `context`: a reply
    that starts over ("Orders placed before 1 pm ... Orders placed before 1 pm ...") while
    most of it is still distinct, which `repetitive` lets through. Copying a phrase the
    context itself repeats is not a loop."""

    def counts(text: str) -> Counter:
        words = re.findall(r"\w+", text.lower())
        return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))

    mine = counts(text)
    repeated = [gram for gram, k in mine.items() if k > 1]
    if not repeated:
        return False
    theirs = counts(context)
    return any(mine[gram] > theirs[gram] for gram in repeated)


# Street addresses: "12 Oak Street", "7762 Aspen Place", "Calle Mayor 5", "中山路88号".
ADDRESS = re.compile(
    r"\b\d{1,5}[a-z]?\s+(?:[A-Za-z][\w'.-]*\s+){0,4}(?:street|st|road|rd|avenue|ave|lane|ln|"
    r"drive|dr|place|pl|boulevard|blvd|way|court|ct|terrace|close|crescent|square|sq|highway)\b\.?"
    r"|\b(?:calle|avenida|avda\.|plaza|paseo|c/)\s+[^\d,\n]{2,40}?\s*\d{1,4}\b"
    r"|[\u4e00-\u9fff]{1,12}(?:路|街|大道)\d{1,5}号",
    re.IGNORECASE,
)
# A postal code after a US state or a UK postcode, once the street is gone.
POSTCODE = re.compile(r"\b[A-Z]{2}\s\d{5}(?:-\d{4})?\b|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b")


def redact(text: str) -> str:
    """Replace emails, card numbers, phone numbers and street addresses with placeholders.

    Used on everything that is logged, saved or embedded. Fullwidth digits are folded first,
    so "４１１１ １１１１ ..." is caught like "4111 1111 ...".
    """
    text = unicodedata.normalize("NFKC", text)
    text = EMAIL.sub("<email>", text)
    text = IBAN.sub("<iban>", text)
    text = CVV.sub(lambda m: m.group(1) + "<cvv>", text)
    # Dates step aside (as \x00 + index) while digit runs are replaced, then come back.
    dates: list[str] = []

    def keep(match: re.Match[str]) -> str:
        dates.append(match.group(0))
        return f"\x00{len(dates) - 1}\x00"

    text = DATE.sub(keep, text.replace("\x00", ""))
    text = CARD.sub("<card>", text)
    text = PHONE.sub("<phone>", text)
    text = PHONE_DOTTED.sub(_dotted_phone, text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: dates[int(m.group(1))], text)
    text = ADDRESS.sub("<address>", text)
    return POSTCODE.sub("<postcode>", text)


def _dotted_phone(match: re.Match[str]) -> str:
    """ "415.555.0199" is a phone number; "1.299.99" (fewer than 9 digits) is left alone."""
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "<phone>" if digits >= 9 else match.group(0)


def redact_value(value):
    """`redact` applied to every string inside a JSON-like value (dicts, lists)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


# ------------------------------------------------------------------ anger and complaints
# Shoppers who are angry or complaining get a person, whatever the intent model says.
ANGER = re.compile(
    r"\b(?:angry|furious|livid|pissed|fed up|ridiculous|outrageous|unacceptable|disgusting|"
    r"useless|worst|pathetic|scam|scammers?|rip-?off|fraud|incompetent|wtf|f+u+c+k\w*|"
    r"shit\w*|crap|damn|idiots?|stupid|garbage|rubbish|hate you|sue you|lawyer|"
    r"(?:is|are) a joke|done with (?:you|this)|sick (?:and tired )?of|terrible|awful|"
    r"horrible|never (?:again|shopping)|disgrace)\b"
    r"|\b(?:enfadad[oa]|enojad[oa]|furios[oa]|hart[oa]|in[uú]til|estafa|estafadores|"
    r"verg[uü]enza|p[eé]sim[oa]|una mierda|mierda|idiotas?|inaceptable|rid[ií]culo|"
    r"incompetentes?|nadie me ayuda|desastre|fatal)\b"
    r"|生气|愤怒|气死|垃圾|骗子|太差|差劲|滚|混蛋|妈的|受够了|到底在|搞什么|怎么回事|太过分|"
    r"失望|糟糕",
    re.IGNORECASE,
)
COMPLAINT = re.compile(
    r"\b(?:complaint|complain(?:ing)?|file a claim|reclamaci[oó]n|queja|quejarme)\b|投诉",
    re.IGNORECASE,
)
SHOUTING = re.compile(r"(?:\b[A-Z]{3,}\b[^a-z]*){4,}")


NEGATION = re.compile(r"(?:\bnot|n't|\bno|\bnunca|不)\s*(?:\w+\s+)?$", re.IGNORECASE)


def is_upset(message: str) -> bool:
    """True for anger, insults, a complaint, or a shouted message (several words in caps).

    A negated word ("I'm not angry") does not count.
    """
    for match in ANGER.finditer(message):
        if not NEGATION.search(message[max(0, match.start() - 20) : match.start()]):
            return True
    return bool(COMPLAINT.search(message) or (SHOUTING.search(message) and "!" in message))


# ------------------------------------------------------------------ refusals
# Requests the assistant declines politely, checked before any intent detection. Each
# pattern names a kind; `replies.TEMPLATES["refuse_<kind>"]` holds the answer in en/es/zh.
REFUSALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("injection", re.compile(
        r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules|prompts?|"
        r"guidelines|polic(?:y|ies)|programming)\b"
        r"|\b(?:system|hidden|initial|original)\s+(?:prompt|instructions?|message)\b"
        r"|\b(?:reveal|show|print|repeat|output|translate|leak)\b.{0,30}\b(?:prompt|"
        r"instructions?|rules) (?:you were|you've been|you are) given\b|\bnew rules?\b.{0,20}"
        r"\b(?:admin|developer|system|you must)\b|\bno (?:restrictions|rules|limits)\b"
        r"|\b(?:developer|debug|admin|god|dan|jailbreak)\s*mode\b|\bjailbreak"
        r"|\byou are (?:now|no longer)\b|\bpretend (?:to be|you are)\b|\bact as (?:an? )?"
        r"(?:admin|developer|different|unrestricted|another)|\bnew instructions?\b"
        r"|\bignora\w*\b.{0,30}\binstrucciones\b|\bmodo desarrollador\b"
        r"|忽略.{0,10}(?:指令|指示|规则|提示)|系统提示|你现在是|开发者模式|<\|?(?:system|im_start)",
        re.IGNORECASE | re.DOTALL)),
    ("other_customer", re.compile(
        r"\b(?:someone|somebody) else'?s\b|\b(?:other|another|different) (?:customer|person|"
        r"user|shopper)s?'?s?\b.{0,30}\b(?:order|address|email|data|details|phone|info)"
        r"|\b(?:all|every|list (?:of )?(?:the )?|recent) (?:customers?|orders|users)\b"
        r"|\bthe (?:customer|person|user|shopper|buyer) (?:with|who|at|whose|on|of|for|from)\b"
        r"|\bwho (?:bought|ordered|placed)\b|\bwhat (?:she|he|they) (?:ordered|bought)\b"
        r"|\b(?:wife|husband|partner|mother|father|mom|dad|son|daughter|sister|brother|"
        r"account owner)'?s? (?:order|account|address|email|purchases?)\b"
        r"|(?<!my )(?<!our )\borders (?:shipped|sent|delivered|going) to\b"
        r"|\b(?:customer|user) (?:list|database|emails)\b"
        r"|\b(?:my )?(?:neighbou?r|ex|boss|colleague|friend)'?s (?:order|address|email|"
        r"purchases?)\b|\bwithout (?:the|their|his|her) email\b"
        r"|\botros? clientes?\b|\bpedidos? de otra persona\b|\btodos los pedidos\b"
        r"|其他(?:客户|顾客|用户)|别人的订单|所有(?:订单|客户)",
        re.IGNORECASE)),
    ("discount_code", re.compile(
        r"\b(?:give|send|generate|create|make|invent|write)\b.{0,20}\b(?:discount|coupon|promo|"
        r"voucher)\s*codes?\b|\b(?:100|[5-9]\d)\s?% (?:off|discount)\b"
        r"|\b\d{1,3}\s?% (?:coupon|code|voucher)\b|\bpromised\b.{0,30}\b(?:coupon|code|discount)"
        r"|\b(?:dame|genera|crea|inventa)\b.{0,20}\b(?:c[oó]digo|cup[oó]n)"
        r"|(?:给我|生成|编).{0,6}(?:优惠码|折扣码|优惠券)",
        re.IGNORECASE)),
    ("policy_exception", re.compile(
        r"\b(?:make|grant|do me) an? exception\b|\bbend the rules?\b|\bjust this once\b"
        r"|\bextend (?:the|my) (?:return|refund|warranty)\b"
        r"|\b(?:accept|allow|let me|take)\b.{0,30}\breturn\b.{0,30}\b(?:after|past|outside|late)\b"
        r"|\brefund\b.{0,30}\bwithout (?:sending|returning)\b"
        r"|\b(?:accept|approve|take|allow)\b.{0,30}\banyway\b"
        r"|\b(?:late|expired|past the (?:deadline|window))\b.{0,40}\b(?:accept|anyway)\b"
        r"|\b(?:refund|waive|cover|free)\b.{0,40}\beven (?:though|if)\b"
        r"|\bwaive (?:the )?(?:fee|shipping|charge)\b|\bfree (?:shipping|return) anyway\b"
        r"|\bexcepci[oó]n\b|\bsaltar(?:te)? la pol[ií]tica\b|破例|通融|例外",
        re.IGNORECASE)),
    ("off_topic", re.compile(
        r"\b(?:write|compose|tell)\b.{0,15}\b(?:poem|essay|story|song|joke|code|script|"
        r"program)\b|\bcapital of\b|\bweather (?:in|like|today|tomorrow|forecast)\b"
        r"|\b(?:president|prime minister) of\b"
        r"|\bhomework\b|\bsolve\b.{0,20}\b(?:equation|math)\b|\brecipe\b|\bbitcoin\b"
        r"|\bstock market\b|\bpython\b|\bjavascript\b|\bwho won\b|\bworld cup\b"
        r"|\bqui[eé]n gan[oó]\b|\bmundial\b|\bf[uú]tbol\b|\bchiste\b"
        r"|\bescr[ií]beme un (?:poema|cuento)\b|\bcapital de\b|\bel tiempo\b"
        r"|写(?:一首)?诗|天气|首都|讲个笑话|写代码",
        re.IGNORECASE)),
)  # fmt: skip


# A code-like token (letters and digits, e.g. SAVE50) in a message about codes or discounts.
CODE_TOKEN = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{4,15}\b")
CODE_TALK = re.compile(
    r"\b(?:codes?|coupons?|promo|vouchers?|discount|off|valid|apply|redeem|c[oó]digo|"
    r"cup[oó]n|descuento|v[aá]lido)\b"
    r"|优惠|折扣",
    re.IGNORECASE,
)


def discount_codes(text: str) -> set[str]:
    """Code-like tokens in `text` (used on the FAQ to learn the shop's real codes)."""
    return set(CODE_TOKEN.findall(text))


def refusal_kind(message: str, known_codes: frozenset[str] | set[str] = frozenset()) -> str | None:
    """The kind of request to decline ("injection", "other_customer", ...), or None.

    A discount code the shop's FAQ does not mention counts as invented ("discount_code"),
    so "does WELCOME10 work?" reaches the FAQ while "apply SAVE90" is declined.
    """
    text = unicodedata.normalize("NFKC", message)
    for kind, pattern in REFUSALS:
        if pattern.search(text):
            return kind
    codes = {c for c in discount_codes(text) if not TRACKING.fullmatch(c)}  # not PP7017262902US
    if CODE_TALK.search(text) and codes - set(known_codes):
        return "discount_code"
    return None
