"""Translation engines behind one small interface: `translate_batch(texts, source, target)`.

Why one interface: the runner (cache, dedup, batching, timeouts, retries, rate limits) is the
same for a web API, a local seq2seq model and the offline `pseudo` engine, so each engine is
only the code that differs. An engine is named by a spec string,

    NAME[:ARG][?key=value&key=value]     e.g. google, deepl?free=0, libre?url=http://localhost:5000,
                                              hf:Helsinki-NLP/opus-mt-en-de?batch=32, pseudo?faults=drop

whose common keys set the limits (`timeout`, `attempts`, `backoff`, `max_backoff`, `rate`,
`batch`, `chars`). API keys come only from environment variables, checked before any work.
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus

from ..errors import UsageError
from ..named import NamedRegistry

#: Query parameters and headers that carry credentials in the web APIs deep-translator calls (DeepL
#: `auth_key`, Libre `api_key`, Yandex/QCRI `key`, Baidu `appid`/`sign`, MyMemory's e-mail `de`, ...).
_SECRET_PARAMS = re.compile(
    r"(?i)((?:[?&]|\b)(?:auth_key|api_key|apikey|key|appid|appkey|sign|salt|client_id|client_secret|secret_key|secret|"
    r"token|access_token|password|email|de)=)[^&\s'\"<>)]+"
)
_SECRET_HEADERS = re.compile(
    r"(?i)((?:authorization|x-naver-client-id|x-naver-client-secret|ocp-apim-subscription-key|ocp-apim-subscription-region)"
    r"['\"]?\s*[:=]\s*['\"]?)[^'\",}\s]+"
)
#: Environment variables whose values are never printed (with every backend's key variables, below).
_TOKEN_ENV = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
REDACTED = "***"
#: Backend arguments that identify where, not who: kept in messages (a URL's credentials are caught by the patterns).
_NOT_SECRET = ("region", "custom_url")


def known_secrets() -> list[str]:
    """The credentials this process could send: every engine's key variables and the hub token, where set."""
    names = {*_TOKEN_ENV, *(env for b in BACKENDS.values() for arg, env, _ in b.keys if arg not in _NOT_SECRET)}
    return [v for v in (os.environ.get(n, "") for n in sorted(names)) if v]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with credentials replaced by ***: the given values (and their URL-encoded forms), then
    anything in a credential's place in a URL or header. Every engine error passes through here
    before it is stored, printed or returned (docs/translation.md)."""
    values = {v for s in [*secrets, *known_secrets()] if s and len(s) >= 3 for v in (s, quote(s, safe=""), quote_plus(s))}
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    text = _SECRET_PARAMS.sub(lambda m: m.group(1) + REDACTED, text)
    return _SECRET_HEADERS.sub(lambda m: m.group(1) + REDACTED, text)


class EngineError(UsageError):
    """An engine that cannot run as asked (unknown name or option, missing key, unsupported language)."""


class SkipSegment(Exception):
    """This input cannot be translated by this engine (too long, refused): fail it, do not retry."""


class FatalEngineError(Exception):
    """Every further call would fail the same way (bad key, quota gone): stop sending, keep what is done."""


class EngineTimeout(Exception):
    """The engine gave no answer within the per-call deadline."""


@dataclass(frozen=True)
class Limits:
    """Per-engine call limits; every field can be set in the spec (`?timeout=10&rate=2`)."""

    timeout: float = 30.0  # seconds one call may take before it is abandoned
    attempts: int = 4  # calls per batch before it is reported as failed
    backoff: float = 1.0  # first wait between attempts; doubles each time, plus as much jitter
    max_backoff: float = 30.0
    rate: float = 0.0  # calls per second, 0 = no limit
    batch: int = 1  # segments per call
    chars: int = 0  # characters per call (0 = no limit); a longer segment fails alone
    give_up: int = 3  # batches failing in a row (after their retries) before nothing more is sent

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return tuple(cls.__dataclass_fields__)


class Engine:
    """Base class: set `name` (goes into provenance `mt:<name>`), `model` (cache key), `limits`."""

    name = "engine"
    model = ""
    limits = Limits()
    sort_by_length = False  # batch similar lengths together (less padding for local models)

    def check(self, source: str, targets: list[str]) -> None:
        """Fail now (EngineError) if this engine cannot run for these languages: no work is done first."""

    def refuse(self, text: str) -> str | None:
        """Why this engine cannot take `text` at all (too long...), or None; checked before sending."""
        return None

    def translate_batch(self, texts: list[str], source: str, target: str) -> list:
        """One output per text, in order: a string, or an exception instance for a segment that failed alone."""
        raise NotImplementedError

    def secrets(self) -> list[str]:
        """Credentials this engine sends (API keys, ids, e-mail): redacted from every error it raises."""
        return []

    def classify(self, exc: BaseException) -> str:
        """`retry`, `skip` (this segment only) or `fatal` (stop the run) for an exception from a call."""
        if isinstance(exc, (FatalEngineError, EngineError)):
            return "fatal"
        if isinstance(exc, SkipSegment):
            return "skip"
        return "retry"


def parse_spec(spec: str) -> tuple[str, str, dict[str, str]]:
    """`NAME[:ARG][?k=v&...]` -> (name, arg, options)."""
    spec = (spec or "").strip()
    if not spec:
        raise EngineError("--engine is empty; try pseudo, google, deepl, libre, hf:<model>")
    head, _, query = spec.partition("?")
    name, _, arg = head.partition(":")
    try:
        opts = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError:
        raise EngineError(f"engine options {query!r} are not key=value pairs joined by &") from None
    return name.strip().lower(), arg.strip(), opts


def split_limits(name: str, opts: dict[str, str], allowed: tuple[str, ...], base: Limits) -> tuple[Limits, dict[str, str]]:
    """Take the common limit keys out of `opts`; refuse keys the engine does not know."""
    out: dict[str, Any] = {}
    rest: dict[str, str] = {}
    for key, value in opts.items():
        if key in Limits.fields():
            typ = int if key in ("attempts", "batch", "chars", "give_up") else float
            try:
                out[key] = typ(value)
            except ValueError:
                raise EngineError(f"engine option {key}={value!r} is not a number") from None
            if out[key] < 0 or (key in ("attempts", "batch", "give_up") and out[key] < 1):
                raise EngineError(f"engine option {key}={value!r} is out of range")
        elif key in allowed:
            rest[key] = value
        else:
            known = sorted(set(Limits.fields()) | set(allowed))
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
            raise EngineError(f"engine {name!r} has no option {key!r}{hint}")
    return replace(base, **out), rest


#: Engine name -> factory(arg, options). An engine module registers itself with `@register_engine`;
#: the modules listed in ENGINE_MODULES are imported before a name is looked up.
ENGINES: NamedRegistry[Callable[[str, dict[str, str]], Engine]] = NamedRegistry("engine")
ENGINE_MODULES = ("pseudo", "hfmodel")


def register_engine(name: str) -> Callable[[Any], Any]:
    """Decorator: make an Engine class (or a factory taking (arg, options)) selectable as `--engine NAME[:ARG]`."""
    return ENGINES.register(name)


def make_engine(spec: str, **overrides: Any) -> Engine:
    """Build an engine from its spec; `overrides` (e.g. timeout=5 from the CLI) win over the spec's limits."""
    name, arg, opts = parse_spec(spec)
    for module in ENGINE_MODULES:
        importlib.import_module(f"{__package__}.{module}")
    try:
        factory = ENGINES.get(name)
    except UsageError as e:
        raise EngineError(str(e)) from None
    engine = factory(arg, opts)
    given = {k: v for k, v in overrides.items() if v is not None}
    if given:
        engine.limits = replace(engine.limits, **given)
    return engine


def provenance_name(text: str) -> str:
    """Characters the schema allows after `mt:` (a local model path keeps only its folder name)."""
    return re.sub(r"[^A-Za-z0-9_.:/\-]", "-", text).strip("-/") or "engine"


# -- deep-translator's web backends ------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    cls: str
    codes: str | None  # deep_translator.constants dict of its languages (None: fetched online, tags pass)
    keys: tuple[tuple[str, str, bool], ...] = ()  # (constructor argument, environment variable, required)
    max_chars: int = 5000
    options: dict[str, str] = field(default_factory=dict)  # spec key -> constructor argument


BACKENDS: dict[str, Backend] = {
    "google": Backend("GoogleTranslator", "GOOGLE_LANGUAGES_TO_CODES", max_chars=4999),
    "deepl": Backend("DeeplTranslator", "DEEPL_LANGUAGE_TO_CODE", (("api_key", "DEEPL_API_KEY", True),), 100_000, {"free": "use_free_api"}),
    "microsoft": Backend("MicrosoftTranslator", None, (("api_key", "MICROSOFT_API_KEY", True), ("region", "MICROSOFT_REGION", False)), 50_000),
    "libre": Backend("LibreTranslator", "LIBRE_LANGUAGES_TO_CODES", (("api_key", "LIBRE_API_KEY", True), ("custom_url", "LIBRE_URL", False)), 5000, {"url": "custom_url"}),
    "mymemory": Backend("MyMemoryTranslator", "MY_MEMORY_LANGUAGES_TO_CODES", (("email", "MYMEMORY_EMAIL", False),), 499),
    "yandex": Backend("YandexTranslator", None, (("api_key", "YANDEX_API_KEY", True),), 10_000),
    "qcri": Backend("QcriTranslator", "QCRI_LANGUAGE_TO_CODE", (("api_key", "QCRI_API_KEY", True),)),
    "papago": Backend("PapagoTranslator", "PAPAGO_LANGUAGE_TO_CODE", (("client_id", "PAPAGO_CLIENT_ID", True), ("secret_key", "PAPAGO_SECRET_KEY", True))),
    "baidu": Backend("BaiduTranslator", "BAIDU_LANGUAGE_TO_CODE", (("appid", "BAIDU_APPID", True), ("appkey", "BAIDU_APPKEY", True)), 6000),
}  # fmt: skip

#: BCP-47 tags some services spell differently.
_ALIASES = {"zh": ["zh-CN", "zh-Hans", "zh"], "zh-Hant": ["zh-TW", "zh-Hant"], "he": ["iw"], "fil": ["tl"], "nb": ["no"], "jv": ["jw"]}


def service_code(tag: str, codes: set[str] | None) -> str | None:
    """The service's own code for a BCP-47 tag (`zh` -> `zh-CN` for Google, `de` -> `de-DE` for MyMemory)."""
    if codes is None:
        return tag
    base = tag.split("-")[0]
    lower = {c.lower(): c for c in codes}
    for cand in [*_ALIASES.get(tag, []), tag, *_ALIASES.get(base, []), base, f"{base}-{base.upper()}"]:
        if cand.lower() in lower:
            return lower[cand.lower()]
    prefixed = sorted(c for c in codes if c.lower().startswith(base.lower() + "-"))
    return prefixed[0] if prefixed else None


@dataclass(frozen=True)
class _BackendFactory:
    backend: str

    def __call__(self, arg: str, opts: dict[str, str]) -> Engine:
        return DeepTranslatorEngine(self.backend, arg, opts)


class DeepTranslatorEngine(Engine):
    """A deep-translator backend; one HTTP request per segment, run under the runner's deadline."""

    def __init__(self, backend: str, arg: str, opts: dict[str, str]):
        self.backend = BACKENDS[backend]
        self.name = backend
        self.limits, opts = split_limits(backend, opts, tuple(self.backend.options), Limits(timeout=30.0, chars=self.backend.max_chars))
        if arg:
            raise EngineError(f"engine {backend!r} takes no ':{arg}' (options go after '?')")
        self.kwargs: dict[str, Any] = {}
        for key, value in opts.items():
            argname = self.backend.options[key]
            self.kwargs[argname] = value not in ("0", "false", "no") if argname.startswith("use_") else value
        self.model = redact("&".join(f"{k}={v}" for k, v in sorted(self.kwargs.items()) if k != "api_key"))  # stored in the cache
        self._translators: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._codes: set[str] | None = None

    def _language_codes(self) -> set[str] | None:
        if self.backend.codes is None:
            return None
        from deep_translator import constants

        table = getattr(constants, self.backend.codes)
        return set(map(str, table.values())) | set(map(str, table.keys()))

    def check(self, source: str, targets: list[str]) -> None:
        try:
            import deep_translator  # noqa: F401
        except ImportError:
            raise EngineError(f"engine {self.name!r} needs deep-translator: pip install 'stdata[translate]'") from None
        custom_url = "custom_url" in self.kwargs or os.environ.get("LIBRE_URL")
        for argname, env, required in self.backend.keys:
            value = os.environ.get(env)
            if value:
                self.kwargs.setdefault(argname, value)
            elif required and not (argname == "api_key" and self.name == "libre" and custom_url):
                raise EngineError(f"engine {self.name!r} needs the environment variable {env} (its API key); nothing was translated")
        if self.name == "libre" and "api_key" not in self.kwargs:
            self.kwargs["api_key"] = "none"  # a self-hosted LibreTranslate without keys ignores it
        codes = self._language_codes()
        for tag in [source, *targets]:
            if service_code(tag, codes) is None:
                raise EngineError(f"engine {self.name!r} does not support language {tag!r}")

    def _translator(self, source: str, target: str):
        key = (source, target)
        with self._lock:
            if key not in self._translators:
                import deep_translator

                codes = self._language_codes()
                cls = getattr(deep_translator, self.backend.cls)
                self._translators[key] = cls(source=service_code(source, codes), target=service_code(target, codes), **self.kwargs)
            return self._translators[key]

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        tr = self._translator(source, target)
        out = []
        for text in texts:
            got = tr.translate(text)
            if not isinstance(got, str) or not got.strip():
                raise RuntimeError(f"{self.name} returned no translation")
            out.append(got)
        return out

    def secrets(self) -> list[str]:
        names = {argname for argname, _, _ in self.backend.keys} - set(_NOT_SECRET)
        return [str(v) for k, v in self.kwargs.items() if k in names]

    def classify(self, exc: BaseException) -> str:
        from deep_translator import exceptions as dx

        if isinstance(exc, (dx.AuthorizationException, dx.ApiKeyException)):
            return "fatal"
        if isinstance(exc, (dx.NotValidLength, dx.NotValidPayload, dx.LanguageNotSupportedException, dx.InvalidSourceOrTargetLanguage)):
            return "skip"
        if isinstance(exc, Exception) and "Please pass your client id" in str(exc):
            return "fatal"
        return super().classify(exc)


for _name in BACKENDS:
    register_engine(_name)(_BackendFactory(_name))


def engine_catalog() -> list[dict[str, Any]]:
    """Every engine with the environment variables it reads and whether the required ones are set."""
    rows: list[dict[str, Any]] = [
        {"engine": "pseudo", "kind": "offline, deterministic, fault injection (tests and demos)", "env": [], "ready": True},
        {"engine": "hf:<model>", "kind": "local transformers seq2seq (Marian, NLLB, M2M100)", "env": [], "ready": True},
    ]
    for name, b in BACKENDS.items():
        required = [env for _, env, req in b.keys if req]
        ready = all(os.environ.get(e) for e in required) or (name == "libre" and bool(os.environ.get("LIBRE_URL")))
        rows.append(
            {
                "engine": name,
                "kind": f"web API via deep-translator ({b.cls})",
                "env": [env + ("" if req else "?") for _, env, req in b.keys],
                "ready": ready,
            }
        )
    return rows
