"""Send unique segments to an engine once: cache, batches, deadlines, retries, rate limit, accounting.

Why here and not in each engine: deep-translator passes no timeout to `requests` and has no
retries, a local model wants big batches, and every engine needs the same bookkeeping. Each
call runs in a daemon worker thread joined with a deadline (a hung call is abandoned, never
waited for); transient failures are retried with exponential backoff and jitter (tenacity);
every finished batch is committed to the cache before the next is sent, so work survives a
crash; a failure is recorded per segment and the run goes on, except after a fatal one (a
bad key) where nothing more is sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential, wait_random

from .cache import Cache
from .engines import Engine, EngineTimeout, redact

Key = tuple[str, str, str]  # (source language, target language, text sent)


@dataclass
class Stats:
    """What a run did; `--json` prints these keys."""

    segments: int = 0  # segment occurrences that needed a translation
    unique: int = 0  # distinct (languages, text) among them
    cache_hits: int = 0  # unique segments answered from the cache
    engine_calls: int = 0  # calls made to the engine, retries included
    sent: int = 0  # unique segments sent to the engine
    retries: int = 0
    timeouts: int = 0
    rejected: int = 0  # items not written: a translation failed the placeholder checks
    failed: int = 0  # items not written: the engine gave no answer

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def count(self, outcome: str) -> None:
        """One more item `outcome` (rejected or failed)."""
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass(frozen=True)
class Answer:
    text: str | None  # the engine's raw output
    error: str | None = None
    cached: bool = False


def call_with_deadline(fn: Callable[[], list[str]], timeout: float) -> list[str]:
    """Run `fn` in a daemon thread; raise EngineTimeout if it has not returned after `timeout` s."""
    if not timeout or timeout <= 0:
        return fn()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:
            box["error"] = e

    worker = threading.Thread(target=target, name="stdata-translate-call", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise EngineTimeout(f"no answer within {timeout:g}s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def describe(exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """One line for a failed call, credentials redacted (a web API's error quotes its request URL, key and all)."""
    text = redact(" ".join(str(exc).split()), secrets)
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:240]


class Runner:
    """Translate many segments with one engine; `translate()` may be called more than once."""

    def __init__(
        self,
        engine: Engine,
        cache: Cache,
        stats: Stats | None = None,
        progress: Callable[[int, int], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.engine = engine
        self.cache = cache
        self.stats = stats or Stats()
        self.progress = progress
        self.sleep = sleep
        self._last_call = 0.0
        self.fatal: str | None = None

    def translate(self, items: Iterable[Key]) -> dict[Key, Answer]:
        items = list(items)
        unique = list(dict.fromkeys(items))
        self.stats.segments += len(items)
        self.stats.unique += len(unique)
        eng, model = self.engine.name, self.engine.model
        found = self.cache.get_many(eng, model, unique)
        self.stats.cache_hits += len(found)
        answers: dict[Key, Answer] = {k: Answer(v, cached=True) for k, v in found.items()}
        todo = [k for k in unique if k not in found]
        batches = self._batches(todo, answers)
        done = failed_in_row = 0
        for (source, target), texts in batches:
            if self.fatal:
                for t in texts:
                    answers[(source, target, t)] = Answer(None, f"not sent after a fatal engine error ({self.fatal})")
                continue
            self.stats.sent += len(texts)
            try:
                outs = self._call(texts, source, target)
                if not isinstance(outs, list) or len(outs) != len(texts) or not all(isinstance(o, (str, Exception)) for o in outs):
                    raise ValueError(
                        f"the engine answered {len(outs) if isinstance(outs, list) else type(outs).__name__} texts for {len(texts)}"
                    )
            except Exception as e:
                msg = describe(e, self.engine.secrets())
                failed_in_row += 1
                if self.engine.classify(e) == "fatal":
                    self.fatal = msg
                elif failed_in_row >= self.engine.limits.give_up:
                    self.fatal = f"{failed_in_row} batches in a row failed; last: {msg}"
                for t in texts:
                    answers[(source, target, t)] = Answer(None, msg)
            else:
                failed_in_row = 0
                self.cache.put_many(eng, model, source, target, [(t, o) for t, o in zip(texts, outs) if isinstance(o, str)])
                for t, o in zip(texts, outs):
                    answers[(source, target, t)] = Answer(o) if isinstance(o, str) else Answer(None, describe(o, self.engine.secrets()))
            done += len(texts)
            if self.progress:
                self.progress(done, len(todo))
        return answers

    def _batches(self, todo: list[Key], answers: dict[Key, Answer]) -> list[tuple[tuple[str, str], list[str]]]:
        """Group by language pair (first-seen order) and cut by the engine's batch and character limits."""
        lim = self.engine.limits
        by_pair: dict[tuple[str, str], list[str]] = {}
        for source, target, text in todo:
            why = (
                f"{len(text)} characters; engine {self.engine.name!r} takes at most {lim.chars}"
                if lim.chars and len(text) > lim.chars
                else self.engine.refuse(text)
            )
            if why:
                answers[(source, target, text)] = Answer(None, why)
                continue
            by_pair.setdefault((source, target), []).append(text)
        out = []
        for pair, texts in by_pair.items():
            if self.engine.sort_by_length:
                texts = sorted(texts, key=len)
            batch: list[str] = []
            size = 0
            for t in texts:
                if batch and (len(batch) >= lim.batch or (lim.chars and size + len(t) > lim.chars)):
                    out.append((pair, batch))
                    batch, size = [], 0
                batch.append(t)
                size += len(t)
            if batch:
                out.append((pair, batch))
        return out

    def _throttle(self) -> None:
        rate = self.engine.limits.rate
        if rate > 0:
            wait = self._last_call + 1.0 / rate - time.monotonic()
            if wait > 0:
                self.sleep(wait)
        self._last_call = time.monotonic()

    def _call(self, texts: list[str], source: str, target: str) -> list[str]:
        lim, engine = self.engine.limits, self.engine

        def attempt() -> list[str]:
            self._throttle()
            self.stats.engine_calls += 1
            try:
                return call_with_deadline(lambda: engine.translate_batch(list(texts), source, target), lim.timeout)
            except EngineTimeout:
                self.stats.timeouts += 1
                raise

        def count_retry(_state) -> None:
            self.stats.retries += 1

        retrying = Retrying(
            stop=stop_after_attempt(lim.attempts),
            wait=wait_exponential(multiplier=lim.backoff, max=lim.max_backoff) + wait_random(0, lim.backoff),
            retry=retry_if_exception(lambda e: engine.classify(e) == "retry"),
            reraise=True,
            sleep=self.sleep,
            before_sleep=count_retry,
        )
        return retrying(attempt)
