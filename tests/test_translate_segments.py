"""Placeholders survive machine translation by identity, never by position (stdata.translate.segments).

Property tests generate valid templates (text, `{{ expressions }}` with filters and whitespace
control, `{% if %}` blocks) and check that an identity engine gives the template back unchanged,
that reordered tokens are restored to the right expressions, and that a dropped or repeated token
is always rejected.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stdata.render import TemplateProblem, compile_template
from stdata.translate.pseudo import _fault, pseudo_translate
from stdata.translate.segments import (
    TOKEN_RE,
    Rejected,
    Segment,
    check_structure,
    normalize,
    restore,
    split_template,
    tokenize,
    translate_template,
)

NAMES = st.sampled_from(["premise", "hypothesis", "choice", "text", "label", "question"])
#: literal text: anything but braces (a lone brace next to a tag is its own unit test below)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="{}"), max_size=14)


@st.composite
def expr(draw) -> str:
    name = draw(NAMES)
    body = draw(st.sampled_from([name, f"{name} | lower", f"{name} | trim | capitalize", f"{name} ~ ' / ' ~ {draw(NAMES)}"]))
    left, right = draw(st.sampled_from([("{{ ", " }}"), ("{{- ", " }}"), ("{{", "}}"), ("{{ ", " -}}")]))
    return left + body + right


@st.composite
def run(draw) -> str:
    return "".join(draw(st.lists(st.one_of(TEXT, expr()), min_size=1, max_size=5)))


@st.composite
def template(draw) -> str:
    parts = draw(
        st.lists(
            st.one_of(run(), st.builds(lambda n, a, b: f"{{% if {n} == 'cause' %}}{a}{{% else %}}{b}{{% endif %}}", NAMES, run(), run())),
            min_size=1,
            max_size=3,
        )
    )
    source = "".join(parts)
    try:
        compile_template(source)
    except TemplateProblem:
        assume(False)
    return source


PROPS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@PROPS
@given(template())
def test_identity_engine_gives_every_valid_template_back_unchanged(source):
    assert "".join(p.source for p in split_template(source)) == source
    assert translate_template(source, lambda text: text) == source


@PROPS
@given(template())
def test_reordered_tokens_are_restored_by_identity(source):
    items = tokenize(source)
    for seg in items:
        if not isinstance(seg, Segment) or len(seg.exprs) < 2:
            continue
        ids = [int(m.group(1)) for m in TOKEN_RE.finditer(seg.text)]
        swapped = iter(list(reversed(ids)))
        moved = TOKEN_RE.sub(lambda m, it=swapped: f"{{{next(it)}}}", seg.text)
        back = restore(seg, moved)
        # every token stands for its own expression wherever the engine put it
        order = iter(list(reversed(ids)))
        expected = seg.lead + re.sub(r"\{\d+\}", lambda m, s=seg, o=order: s.exprs[next(o)], seg.text) + seg.trail
        assert back == expected


@PROPS
@given(template(), st.sampled_from(["drop", "dup"]))
def test_dropped_or_repeated_tokens_are_always_rejected(source, fault):
    segs = [s for s in tokenize(source) if isinstance(s, Segment) and s.exprs]
    assume(segs)
    for seg in segs:
        with pytest.raises(Rejected, match="placeholder tokens changed"):
            restore(seg, _fault(seg.text, fault))


@PROPS
@given(template(), st.sampled_from(["de", "ru", "zh"]))
def test_pseudo_translation_keeps_structure(source, lang):
    out = translate_template(source, lambda text: pseudo_translate(text, lang))
    check_structure(source, out)
    assert compile_template(out).variables == compile_template(source).variables


def test_control_tags_are_never_sent_and_expressions_become_tokens():
    source = "{% if question == 'cause' %}{{ premise }} This happened because {{ choice }}{% else %}{{ premise }} As a result, {{ choice }}{% endif %}"
    items = tokenize(source)
    sent = [i.text for i in items if isinstance(i, Segment)]
    assert sent == ["{0} This happened because {1}", "{0} As a result, {1}"]
    assert [i for i in items if isinstance(i, str)] == ["{% if question == 'cause' %}", "{% else %}", "{% endif %}"]
    # a German engine puts the clause first: each token finds its own expression
    seg = items[1]
    assert restore(seg, "Weil {1}, geschah {0}.") == "Weil {{ choice }}, geschah {{ premise }}."


def test_engine_artefacts_are_normalised():
    seg = tokenize('The review "{{ text }}" is positive.')[0]
    assert restore(seg, "Die Rezension &quot;{0}&quot; ist positiv.") == 'Die Rezension "{{ text }}" ist positiv.'
    assert restore(seg, "Die Rezension &amp;quot;{0}&amp;quot; ist positiv.") == 'Die Rezension "{{ text }}" ist positiv.'
    assert restore(seg, 'Die Rezension " {0} " ist positiv.') == 'Die Rezension "{{ text }}" ist positiv.'
    assert restore(seg, 'Die Rezension \\"{0}\\" ist\u200b positiv.') == 'Die Rezension "{{ text }}" ist positiv.'
    assert restore(seg, "「｛０｝」は肯定的です。") == "「{{ text }}」は肯定的です。"
    assert restore(seg, "Die Rezension „{ 0 }“ ist positiv.") == "Die Rezension „{{ text }}“ ist positiv."
    assert normalize('a "{0}" b', 'a "{0}" b') == 'a "{0}" b'


@pytest.mark.parametrize(
    "translated, why",
    [
        ("Die Rezension ist positiv.", r"dropped \{0\} \(\{\{ text \}\}\)"),
        ("{0} Die Rezension {0} ist positiv.", r"repeated \{0\}"),
        ("Die Rezension {0} ist {1}.", r"invented \{1\}"),
        ("Die Rezension {0 ist positiv.", r"dropped \{0\}"),
        ("Die Rezension {0} ist {{ 7 * 7 }}.", "delimiter '{{'"),
        ("Die Rezension {0} {% raw %}", "delimiter '{%'"),
        ("{0} !!!", "lost every word"),
    ],
)
def test_corrupted_translations_are_rejected_with_a_reason(translated, why):
    seg = tokenize('The review "{{ text }}" is positive.')[0]
    with pytest.raises(Rejected, match=why):
        restore(seg, translated)


def test_brace_next_to_a_token_cannot_smuggle_a_tag():
    source = "Is {{ text }} true?"
    with pytest.raises(Rejected):
        translate_template(source, lambda t: "Ist {" + t.split()[1] + "} wahr?")  # "{{0}}" -> "{{{ text }}}"


def test_token_like_text_and_unsafe_templates_are_refused_before_sending():
    with pytest.raises(Rejected, match="token-like"):
        tokenize("Option {1} is {{ choice }}")
    with pytest.raises(TemplateProblem):
        tokenize("{{ ''.__class__ }}")
    with pytest.raises(TemplateProblem):
        tokenize("{{ text ")
