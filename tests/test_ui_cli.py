import pytest

from ui import cli


def test_serve_is_a_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve", "--help"])
    assert exit_info.value.code == 0
    assert "--port" in capsys.readouterr().out


def test_serve_receives_config_and_address(monkeypatch, tmp_path):
    seen = {}

    def fake_serve(config, host, port):
        seen.update(config=config, host=host, port=port)

    monkeypatch.setattr("ui.app.serve", fake_serve)
    code = cli.main(
        ["serve", "--port", "7999", "--data-dir", str(tmp_path), "--adapter-dir", "none"]
    )
    assert code == 0
    assert seen["port"] == 7999 and seen["host"] == "127.0.0.1"
    assert seen["config"].data_dir == tmp_path
