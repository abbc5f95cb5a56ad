"""`pseudo`: a deterministic offline engine for tests and demos, with faults on demand.

Why: the hub and translation APIs are unreachable in CI, yet the whole pipeline (tokens,
cache, retries, timeouts, the YAML writer, validation) must be exercised for real. `pseudo`
maps common English template words through a small table per language and turns every other
word into a made-up word from that language's syllables, so the output is recognisably in the
target language (validation's language identification accepts it) while tokens such as `{0}`
pass through untouched. It is not a translation: variants it writes say `mt:pseudo`.

Faults (`pseudo?faults=reorder,drop&fraction=0.5&seed=1`), each chosen per segment from a hash:
  reorder  move the placeholder tokens around (must be restored by identity, not rejected)
  drop     lose a token                (rejected)
  dup      repeat a token              (rejected)
  mangle   break a token's braces      (rejected)
  inject   add a Jinja delimiter       (rejected)
  entity   HTML-escape quotes          (normalised, accepted)
  flaky    raise on the first attempt of a call, succeed on the next (retried)
  error    always raise                (retried, then reported as failed)
  hang     sleep `hang_s` seconds      (cut by the timeout, retried, then failed)
Other keys: `fraction` (share of segments faulted, default 1), `seed`, `hang_s`, `delay` (seconds
per call), `log` (append each text sent to this file).
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from pathlib import Path

from .engines import Engine, EngineError, Limits, register_engine, split_limits
from .segments import TOKEN_RE

FAULTS = ("reorder", "drop", "dup", "mangle", "inject", "entity", "flaky", "error", "hang")

#: Syllables that make a made-up word look like the language (character n-grams are what
#: language identifiers read).
SYLLABLES: dict[str, list[str]] = {
    "de": "ein ge sch ung ber ver lich keit ich ach der zu st en au ei heit ten nach".split(),
    "sw": "wa ki ni ta ma ku la ya mu na za si ha li pa ji ndo mbi nya ka".split(),
    "fr": "que ment eau ion eur ais dé ré pre ou oi le con tion eux".split(),
    "es": "que ción ado ida de los las mos ar ero ía ue es mente ra".split(),
    "pt": "ção que nho lha dos ões ão ar ido em um ém das ade".split(),
    "it": "zione che gli ato ita ere ono mente per del lla cci".split(),
    "nl": "ij ge lijk heid oe ui sch aan ver en de het ten".split(),
    "id": "ng kan ber men ya nya ka an ter pe di se lah".split(),
    "tr": "lar ler ı ğı ş ç ün dır bir ile mak mek ü".split(),
    "pl": "prz szcz ść ów ię ą ż cz sz nie wie ego".split(),
    "vi": "ng ười ươ ệ ạ ố ủ ình nh à ế ời".split(),
    "ru": "ст ни ов ра ко то ль ный ие про ся ть".split(),
    "uk": "ст ні ов ра ко ї є ий ння під ся ть".split(),
    "ar": "ال ون ات ين ية لم في من ها بي تع".split(),
    "fa": "ها ای می است گر پ چ ژ ند ان ری".split(),
    "ur": "کے ہے میں یں ٹ ڈ ں وں ہو کی".split(),
    "hi": "का की है में नह क्ष त्र ने से हो".split(),
    "bn": "কা রে তে না র্থ ছে য় িত ের".split(),
    "ta": "க்க ட்ட ந்த ம் ல் ரு ப்ப ங்க".split(),
    "te": "లు ని కు గా ంది న్న రా తో".split(),
    "th": "การ ที่ ของ ใน ได้ เป็น มี และ".split(),
    "zh": "的 是 在 了 不 和 有 这 中 人 们".split(),
    "ja": "の は を に が です ます した こと".split(),
    "ko": "는 이 을 에 하 다 습니 니다 의".split(),
    "am": "ነው የ በ እ ና ላ ት ም".split(),
    "yo": "ọ̀ ẹ ṣ ni kò wà àti ti".split(),
    "et": "mine ja ei on ga st les aks".split(),
}

#: Common template words (`english=target|...`), so the words around the placeholders read like
#: the language; an empty target drops the word (Swahili has no articles).
_TABLES = {
    "de": """the=die|a=ein|an=ein|is=ist|are=sind|was=war|be=sein|been=gewesen|this=dies|that=dass|these=diese|it=es|
        they=sie|their=ihr|someone=jemand|who=wer|what=was|which=welche|whoever=wer|something=etwas|thing=Ding|
        to=zu|of=von|and=und|in=in|or=oder|about=über|with=mit|as=als|on=auf|for=für|from=aus|by=durch|into=in|
        between=zwischen|under=unter|after=nach|without=ohne|than=als|while=während|when=wenn|if=wenn|then=dann|
        because=weil|but=aber|not=nicht|no=kein|neither=weder|nor=noch|both=beide|also=auch|only=nur|just=nur|
        most=meisten|many=viele|some=einige|other=andere|another=ein anderer|one=eins|two=zwei|first=erste|
        same=gleiche|different=verschieden|would=würde|can=kann|cannot=kann nicht|may=darf|must=muss|does=tut|
        do=tun|have=haben|has=hat|sentence=Satz|sentences=Sätze|text=Text|following=folgende|true=wahr|
        false=falsch|answer=Antwort|answers=Antworten|question=Frage|read=lesen|reads=liest|reader=Leser|
        story=Geschichte|happened=geschah|passage=Abschnitt|meaning=Bedeutung|means=bedeutet|here=hier|
        wants=will|want=wollen|premise=Prämisse|hypothesis=Hypothese|headline=Schlagzeile|news=Nachrichten|
        says=sagt|saying=sagend|word=Wort|words=Wörter|english=Englisch|sense=Sinn|correctly=richtig|
        correct=richtig|report=Bericht|article=Artikel|assistant=Assistent|category=Kategorie|time=Zeit|
        expresses=drückt|opinion=Meinung|wrote=schrieb|whether=ob|author=Autor|statement=Aussage|
        ending=Ende|follows=folgt|user=Nutzer|speaker=Lautsprecher|command=Befehl|voice=Stimme|told=sagte|
        goal=Ziel|request=Anfrage|intent=Absicht|help=Hilfe|translation=Übersetzung|language=Sprache|
        topic=Thema|subject=Thema|message=Nachricht|cause=Ursache|result=Ergebnis|effect=Wirkung|why=warum|
        likely=wahrscheinlich|possible=möglich|review=Rezension|positive=positiv|negative=negativ|
        neutral=neutral|world=Welt|sports=Sport|science=Wissenschaft|politics=Politik|health=Gesundheit""",
    "sw": """the=|a=|an=|is=ni|are=ni|was=ilikuwa|be=kuwa|been=imekuwa|being=ikiwa|this=hii|that=kwamba|
        these=hizi|it=hii|they=wao|their=yao|i=mimi|someone=mtu|who=nani|what=nini|which=ipi|whoever=yeyote|
        something=kitu|thing=jambo|things=mambo|to=kwa|of=ya|and=na|in=katika|or=au|about=kuhusu|with=na|
        as=kama|on=juu ya|for=kwa|from=kutoka|by=na|into=katika|between=kati ya|under=chini ya|after=baada ya|
        without=bila|than=kuliko|while=wakati|when=wakati|whenever=kila wakati|if=ikiwa|then=kisha|
        because=kwa sababu|but=lakini|not=si|no=hakuna|neither=wala|nor=wala|both=zote|also=pia|too=pia|
        only=tu|just=tu|well=vizuri|most=zaidi|many=nyingi|some=baadhi|other=nyingine|another=nyingine|
        else=nyingine|all=yote|one=moja|two=mbili|first=kwanza|same=sawa|different=tofauti|would=inge|
        can=inaweza|cannot=haiwezi|may=huenda|must=lazima|do=fanya|does=hufanya|have=kuwa na|has=ana|
        sentence=sentensi|sentences=sentensi hizo|text=maandishi|following=ifuatayo|true=kweli|false=uongo|
        answer=jibu|answers=majibu|answered=alijibu|question=swali|read=soma|reads=inasoma|reading=kusoma|
        reader=msomaji|story=hadithi|happened=ilitokea|passage=kifungu|meaning=maana|meanings=maana zake|
        means=inamaanisha|mean=maanisha|here=hapa|getting=kupata|deals=inahusu|want=taka|wants=anataka|
        premise=msingi|hypothesis=dhana|headline=kichwa cha habari|news=habari|saying=kusema|says=anasema|
        say=sema|music=muziki|playing=kucheza|event=tukio|events=matukio|follows=inafuata|lights=taa|
        list=orodha|word=neno|words=maneno|english=Kiingereza|sense=maana|correctly=kwa usahihi|
        correct=sahihi|report=ripoti|travel=safari|travelling=kusafiri|turning=kuwasha|way=njia|
        paraphrase=maneno mengine|negative=hasi|positive=chanya|neutral=wastani|article=makala|up=juu|
        assistant=msaidizi|smart=janja|category=aina|time=wakati|finding=kutafuta|volume=sauti|
        adding=kuongeza|calendar=kalenda|expresses=inaonyesha|opinion=maoni|wrote=aliandika|whether=kama|
        author=mwandishi|describe=eleza|science=sayansi|technology=teknolojia|politics=siasa|health=afya|
        entertainment=burudani|geography=jiografia|used=kutumika|common=kawaida|statement=kauli|
        contradicts=inapingana na|given=iliyotolewa|ending=mwisho|blank=pengo|according=kulingana|
        based=kwa msingi|below=chini|asked=aliuliza|fits=inafaa|voice=sauti|user=mtumiaji|speaker=spika|
        command=amri|interested=ana nia|changing=kubadilisha|booking=kuhifadhi|food=chakula|off=zima|
        email=barua pepe|contact=mawasiliano|looking=kutafuta|making=kutengeneza|good=nzuri|
        definition=ufafanuzi|social=kijamii|media=vyombo vya habari|sound=sauti|alarm=kengele|coffee=kahawa|
        careful=makini|supports=inaunga mkono|changes=mabadiliko|facts=ukweli|feels=anahisi|
        shows=inaonyesha|sports=michezo|natural=asili|world=dunia|translation=tafsiri|translated=imetafsiriwa|
        dictionary=kamusi|give=toa|refers=inarejelea|result=matokeo|caused=ilisababisha|cause=sababu|
        plausible=yenye mantiki|definitely=hakika|case=hali|holds=inashikilia|conclude=hitimisha|
        entailment=uthibitisho|contradiction=upinzani|sensible=busara|reply=jibu|published=ilichapishwa|
        titled=yenye kichwa|title=kichwa|editor=mhariri|chose=alichagua|intent=nia|help=msaada|request=ombi|
        told=aliambia|goal=lengo|belongs=ni ya|belong=kuwa ya|respond=kujibu|take=chukua|care=huduma|
        current=sasa|date=tarehe|weather=hali ya hewa|joke=mzaha|game=mchezo|film=filamu|song=wimbo|
        language=lugha|languages=lugha|topic=mada|subject=somo|main=kuu|message=ujumbe|tone=sauti|
        sentiment=hisia|feeling=hisia|overall=kwa jumla|explanation=maelezo|consequence=matokeo|why=kwa nini|
        best=bora|likely=huenda|possible=inawezekana|certain=hakika|tell=eleza|relation=uhusiano|
        ends=inaisha|finish=maliza|kind=aina|kinds=aina|action=kitendo|actions=vitendo|unrelated=haihusiani|
        change=badilisha|definitions=fasili|faithful=aminifu|accurate=sahihi|rendering=tafsiri|senses=maana|
        share=shiriki|worded=imeandikwa|differently=tofauti|equivalent=sawa|restates=inarudia|
        choosing=kuchagua|test=mtihani|right=sahihi|out=nje|s=|review=mapitio|effect=athari|
        writer=mwandishi|person=mtu|example=mfano|option=chaguo|options=machaguo|choice=chaguo|
        context=muktadha|summary=muhtasari|pair=jozi|means=inamaanisha|so=hivyo|now=sasa|there=pale""",
    "fr": """the=le|a=un|an=un|is=est|are=sont|this=ce|that=que|of=de|and=et|or=ou|not=pas|to=à|for=pour|
        with=avec|sentence=phrase|true=vrai|false=faux|question=question|answer=réponse|because=parce que|
        review=critique|topic=sujet""",
    "es": """the=el|a=un|an=un|is=es|are=son|this=esto|that=que|of=de|and=y|or=o|not=no|to=a|for=para|
        with=con|sentence=frase|true=verdadero|false=falso|question=pregunta|answer=respuesta|because=porque|
        review=reseña|topic=tema""",
}
WORDS: dict[str, dict[str, str]] = {lang: dict(pair.strip().split("=", 1) for pair in table.split("|")) for lang, table in _TABLES.items()}
_UNSPACED = {"zh", "ja", "th"}
_WORD = re.compile(r"([A-Za-z]+)( *)")  # a word dropped from the output takes its spaces along


def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()[:8], "big")


@functools.lru_cache(maxsize=1 << 17)  # words repeat: whole source datasets go through here (build --mt-fill)
def pseudo_word(word: str, lang: str) -> str:
    """A made-up word in `lang`'s syllables, the same every time for the same English word."""
    table = WORDS.get(lang, {})
    low = word.lower()
    if low in table:
        out = table[low]
    else:
        syl = SYLLABLES[lang]
        n = max(1, min(4, (len(word) + 2) // 3))
        out = "".join(syl[_h(lang, low, i) % len(syl)] for i in range(n))
    if out and word[:1].isupper() and word[1:2].islower():
        out = out[:1].upper() + out[1:]
    elif word.isupper() and len(word) > 1:
        out = out.upper()
    return out


def pseudo_translate(text: str, lang: str) -> str:
    """Replace every English word of `text`, keeping tokens, digits and punctuation in place."""
    parts = TOKEN_RE.split(text)
    tokens = [m.group(0) for m in TOKEN_RE.finditer(text)]
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1:  # split() interleaves the captured token number
            out.append(tokens[i // 2])
            continue
        piece = _WORD.sub(lambda m: (pseudo_word(m.group(1), lang) + m.group(2)) if pseudo_word(m.group(1), lang) else "", part)
        piece = re.sub(r"  +", " ", piece)
        if lang in _UNSPACED:
            piece = re.sub(r"(?<=[^\sA-Za-z0-9{}]) (?=[^\sA-Za-z0-9{}])", "", piece)
        out.append(piece)
    result = re.sub(r"  +", " ", "".join(out)).strip()
    if re.match(r"[\W]*[A-Z]", text) and not TOKEN_RE.match(text):  # a dropped article: keep the capital
        at = re.search(r"[^\W\d_]", result)
        if at:
            result = result[: at.start()] + result[at.start()].upper() + result[at.start() + 1 :]
    return result


def _tokens(text: str) -> list[str]:
    return [m.group(0) for m in TOKEN_RE.finditer(text)]


def _fault(text: str, fault: str) -> str:
    toks = _tokens(text)
    if fault == "entity":
        return text.replace('"', "&quot;").replace("'", "&#39;")
    if fault == "inject":
        return text + " {{ 7 * 7 }}"
    if not toks:
        return text
    first = toks[0]
    if fault == "drop":
        return text.replace(first, "", 1)
    if fault == "dup":
        return text.replace(first, first + " " + first, 1)
    if fault == "mangle":
        return text.replace(first, first.strip("{}"), 1)
    if fault == "reorder":
        if len(toks) > 1:  # reverse the tokens' order: `{0} x {1}` -> `{1} x {0}`
            it = iter(reversed(toks))
            return TOKEN_RE.sub(lambda m: next(it), text)
        rest = TOKEN_RE.sub("", text).strip()  # one token: move it to the other end
        return f"{rest} {first}" if text.startswith(first) else f"{first} {rest}"
    return text


class PseudoError(RuntimeError):
    """The `error` / `flaky` fault."""


@register_engine("pseudo")
class PseudoEngine(Engine):
    name = "pseudo"

    def __init__(self, arg: str, opts: dict[str, str]):
        if arg:
            raise EngineError(f"engine 'pseudo' takes no ':{arg}' (options go after '?', e.g. pseudo?faults=drop)")
        self.limits, opts = split_limits(
            "pseudo",
            opts,
            ("faults", "fraction", "seed", "delay", "log", "hang_s"),
            Limits(timeout=10.0, attempts=3, backoff=0.05, max_backoff=0.5, batch=16),
        )
        self.faults = tuple(f for f in opts.get("faults", "").replace("+", ",").split(",") if f)
        unknown = [f for f in self.faults if f not in FAULTS]
        if unknown:
            raise EngineError(f"unknown pseudo fault(s) {unknown}; known: {', '.join(FAULTS)}")
        try:
            self.fault_rate = float(opts.get("fraction", "1"))
            self.seed = int(opts.get("seed", "0"))
            self.delay = float(opts.get("delay", "0"))
            self.hang_s = float(opts.get("hang_s", "3600"))
        except ValueError as e:
            raise EngineError(f"pseudo option is not a number: {e}") from None
        self.log = Path(opts["log"]) if opts.get("log") else None
        # the tables' hash: a changed word list must not be answered from the cache
        tables = _h(sorted(WORDS.items(), key=str), sorted(SYLLABLES.items()))
        self.model = f"tables={tables:x}" + (
            f"&faults={','.join(self.faults)}&fraction={self.fault_rate:g}&seed={self.seed}" if self.faults else ""
        )
        self._seen: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()

    def check(self, source: str, targets: list[str]) -> None:
        missing = [t for t in targets if t.split("-")[0] not in SYLLABLES]
        if missing:
            raise EngineError(f"the pseudo engine has no word list for {', '.join(missing)}; it knows {', '.join(sorted(SYLLABLES))}")

    def fault_for(self, text: str) -> str | None:
        if not self.faults or (_h(self.seed, "rate", text) % 10_000) / 10_000 >= self.fault_rate:
            return None
        return self.faults[_h(self.seed, "kind", text) % len(self.faults)]

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        lang = target.split("-")[0]
        if self.delay:
            time.sleep(self.delay)
        faults = [self.fault_for(t) for t in texts]
        if "hang" in faults:
            time.sleep(self.hang_s)
        if "error" in faults:
            raise PseudoError("pseudo engine: injected error")
        if "flaky" in faults:
            with self._lock:
                key = (target, *texts)
                first = key not in self._seen
                self._seen.add(key)
            if first:
                raise PseudoError("pseudo engine: injected transient error")
        out = []
        for text, fault in zip(texts, faults):
            translated = pseudo_translate(text, lang)
            out.append(_fault(translated, fault) if fault else translated)
        if self.log:
            with self._lock, open(self.log, "a", encoding="utf-8") as f:
                f.writelines(f"{target}\t{t}\n" for t in texts)
        return out
