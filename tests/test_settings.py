"""Settings: defaults < config.toml < RA_<KEY> environment variables < CLI flags, and --help lists them."""
from __future__ import annotations

import subprocess
import sys

import pytest

from ingest.settings import ROOT, SETTINGS, load


def test_environment_sits_above_the_file_and_below_flags(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[web]\nweb_port = 9000\nweb_host = "0.0.0.0"\n[llm]\nllm_enabled = false\n', encoding="utf-8")
    assert load(cfg).web_port == 9000
    monkeypatch.setenv("RA_WEB_PORT", "9100")
    monkeypatch.setenv("RA_LLM_ENABLED", "true")
    monkeypatch.setenv("RA_FACT_STORE_URL", "postgresql://u@h/db")
    config = load(cfg)
    assert (config.web_port, config.llm_enabled, config.fact_store_url, config.web_host) == \
        (9100, True, "postgresql://u@h/db", "0.0.0.0")
    assert load(cfg, web_port=9200).web_port == 9200


@pytest.mark.parametrize("var,value", [("RA_WEB_PORT", "eighty"), ("RA_LLM_ENABLED", "maybe")])
def test_a_value_of_the_wrong_type_names_the_variable(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(ValueError, match=var):
        load()


def test_an_unknown_variable_is_warned_about_not_used(monkeypatch, caplog):
    monkeypatch.setenv("RA_WEB_PROT", "1")
    config = load()
    assert "RA_WEB_PROT" in caplog.text and not hasattr(config, "web_prot")


@pytest.mark.parametrize("command,expected,absent", [
    (["-m", "ingest", "--help"], ["RA_FACT_STORE_URL", "RA_CHROMA_MODE", "RA_EMBEDDING_MODEL"], "RA_WEB_PORT"),
    (["-m", "assistant", "--help"], ["RA_FACT_STORE_URL", "RA_RETRIEVAL_K", "RA_LLM_MODEL"], "RA_WEB_PORT"),
    (["-m", "web", "serve", "--help"], [s.name.upper() for s in SETTINGS], None),
])
def test_help_lists_the_settings_each_command_reads(command, expected, absent):
    out = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for var in expected:
        assert var in out
    if absent:
        assert absent not in out
