"""Settings that decide how sessions are kept and how intents are mixed: saved sessions are
deleted after `session_retention_days` (and nothing else in the folder); the LM share."""

from __future__ import annotations

import os
import time

import pytest

from assistant.config import AssistantConfig, ConfigError
from assistant.session import Session
from assistant.session_store import prune_sessions, save_session
from ui import sessions as sessions_module
from ui.sessions import SessionRegistry

DAY = 86400.0


def _age(path, days: float) -> None:
    old = time.time() - days * DAY
    os.utime(path, (old, old))


def test_prune_removes_only_old_session_files(tmp_path):
    for sid in ("old1", "new1"):
        save_session(tmp_path, Session(session_id=sid))
    (tmp_path / "old2.tmp").write_text("{", encoding="utf-8")  # a write cut off long ago
    (tmp_path / "notes.txt").write_text("the owner's file", encoding="utf-8")
    (tmp_path / ".hidden.json").write_text("{}", encoding="utf-8")  # not a session id
    for name in ("old1.json", "old2.tmp", "notes.txt", ".hidden.json"):
        _age(tmp_path / name, 40)
    _age(tmp_path / "new1.json", 29)

    assert prune_sessions(tmp_path, 30) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hidden.json", "new1.json", "notes.txt"]
    assert prune_sessions(tmp_path, None) == 0  # None keeps everything
    assert prune_sessions(tmp_path / "absent", 30) == 0


def test_registry_prunes_at_start_and_every_so_many_saves(tmp_path, monkeypatch):
    save_session(tmp_path, Session(session_id="stale"))
    _age(tmp_path / "stale.json", 31)
    registry = SessionRegistry(folder=tmp_path, retention_days=30)
    assert not (tmp_path / "stale.json").exists()
    assert registry.get("stale") is None  # a pruned session is gone, not half there

    monkeypatch.setattr(sessions_module, "PRUNE_EVERY", 3)
    live = Session(session_id="live")
    save_session(tmp_path, Session(session_id="stale2"))
    _age(tmp_path / "stale2.json", 31)
    registry.save(live)
    registry.save(live)
    assert (tmp_path / "stale2.json").exists()
    registry.save(live)  # the third save prunes
    assert not (tmp_path / "stale2.json").exists() and (tmp_path / "live.json").exists()

    keep_all = SessionRegistry(folder=tmp_path, retention_days=None)
    _age(tmp_path / "live.json", 400)
    keep_all.save(Session(session_id="other"))
    assert (tmp_path / "live.json").exists()


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "30"])
def test_retention_setting_is_checked(value):
    with pytest.raises(ConfigError, match="session_retention_days"):
        AssistantConfig(session_retention_days=value)


def test_retention_default_and_null():
    assert AssistantConfig().session_retention_days == 30
    assert AssistantConfig(session_retention_days=None).session_retention_days is None


def test_intent_lm_share_follows_the_adapter(tmp_path):
    """None resolves to 0.5 with an adapter (the demo adapter's best share on validation) and
    0.3 on the base model alone; a number is kept as it is."""
    assert AssistantConfig(adapter_dir=None).resolved_lm_weight() == 0.3
    (tmp_path / "adapter_config.json").write_text("{}", encoding="utf-8")
    assert AssistantConfig(adapter_dir=str(tmp_path)).resolved_lm_weight() == 0.5
    assert (
        AssistantConfig(adapter_dir=str(tmp_path), intent_lm_weight=0.2).resolved_lm_weight() == 0.2
    )


def test_a_hostile_session_id_cannot_forge_a_log_line(tmp_path, caplog):
    registry = SessionRegistry(folder=tmp_path)
    forged = "x\n2026-12-04 17:30:00,000 CRITICAL assistant.orders: refunded\x00"
    with caplog.at_level("WARNING", logger="ui.sessions"):
        assert registry.get(forged) is None
    assert caplog.records and all("\n" not in r.getMessage() for r in caplog.records)
    assert all("\x00" not in r.getMessage() for r in caplog.records)
