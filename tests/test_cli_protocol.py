"""`hotline protocol check` and `show`: a broken prompts/ file is named with key and reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotline.cli import main
from hotline.triage import keywords, lexicon, protocol

PROMPTS = Path(__file__).resolve().parents[1] / "prompts"


@pytest.fixture
def prompts_copy(tmp_path, monkeypatch):
    target = tmp_path / "prompts"
    shutil.copytree(PROMPTS, target)
    monkeypatch.setenv("HOTLINE_PROMPTS_DIR", str(target))
    for cached in (protocol.load_protocol, keywords.keyword_table, lexicon.load_lexicon):
        cached.cache_clear()
    yield target
    for cached in (protocol.load_protocol, keywords.keyword_table, lexicon.load_lexicon):
        cached.cache_clear()


def test_check_passes_on_the_shipped_prompts(capsys):
    assert main(["protocol", "check"]) == 0
    assert "valid" in capsys.readouterr().out


@pytest.mark.parametrize("lang,old,new,reason", [
    ("es", 'yes_no = "Perdón', 'no_such = "Perdón', "unknown key"),
    ("es", 'help = "Esta línea', 'hel = "Esta línea', "unknown key"),
    ("en", "call {emergency_number} now", "call {emergency_numbr} now", "unknown placeholder"),
    ("en", 'resolved = "Has', 'resolve = "Has', "a question no path reaches"),
    ("en", 'soon = "Please book', 'son = "Please book', "unknown key"),
])
def test_check_names_file_key_and_reason(prompts_copy, capsys, lang, old, new, reason):
    path = prompts_copy / lang / "messages.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["protocol", "check"]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and reason in err


def test_missing_translation_is_named(prompts_copy, capsys):
    path = prompts_copy / "es" / "messages.toml"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if not ln.startswith("transferring =")]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert main(["protocol", "check"]) == 1
    err = capsys.readouterr().err
    assert "voice.transferring" in err and ("missing" in err)


def test_unknown_flag_and_bad_order_are_refused(prompts_copy, capsys):
    path = prompts_copy / "protocol.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('flag = "injury"', 'flag = "broken_toe"'), encoding="utf-8")
    assert main(["protocol", "check"]) == 1
    assert "the decision module does not know" in capsys.readouterr().err
    protocol.load_protocol.cache_clear()
    block = '[[question]]\nkey = "weakness"\nkind = "yes_no"\nflag = "weakness"\n\n'
    first = '[[question]]\nkey = "bladder_bowel"'
    moved = text.replace(block, "").replace(first, block + first)
    path.write_text(moved, encoding="utf-8")
    assert main(["protocol", "check"]) == 1
    assert "emergency flags must come first" in capsys.readouterr().err


def test_an_sms_over_320_characters_is_refused(prompts_copy, capsys):
    path = prompts_copy / "en" / "messages.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('restarted = "OK,', 'restarted = "' + "x" * 330 + ' OK,'),
                    encoding="utf-8")
    assert main(["protocol", "check"]) == 1
    assert "characters" in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["en", "es"])
def test_show_prints_the_whole_flow(capsys, lang):
    assert main(["protocol", "show", "--lang", lang]) == 0
    out = capsys.readouterr().out
    for q in protocol.load_protocol().questions:
        assert f"`{q.key}`" in out
    for level in ("emergency", "urgent", "soon", "self_care"):
        assert f"### {level}" in out
    assert ("Not yet reviewed" in out) == (lang == "es")
