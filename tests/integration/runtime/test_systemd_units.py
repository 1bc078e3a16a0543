"""The systemd units of deploy/systemd/, as README's step 6 copies them: systemd itself reads them without a
complaint (`systemd-analyze verify`, with the install folder swapped for a temporary one), and each
ExecStart is an `ops` command line our CLI accepts, run from the folder and settings file README sets up."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess

import pytest

from tests.support.deploy import ROOT, clean_env, install_folder

UNITS = ROOT / "deploy" / "systemd"
INSTALL = "/opt/order-hub"


def _service(path) -> dict:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return dict(parser["Service"])


def test_each_service_runs_an_ops_command_line_the_cli_accepts_from_the_install_folder(tmp_path):
    folder = tmp_path / "order-hub"
    bin_dir = install_folder(folder)
    services = sorted(UNITS.glob("order-hub-*.service"))
    assert {p.stem for p in services} >= {"order-hub-web", "order-hub-worker", "order-hub-devices",
                                          "order-hub-backup"}
    for path in services:
        service = _service(path)
        assert service["User"] == "orderhub" and service["WorkingDirectory"] == INSTALL, path.name
        assert service["EnvironmentFile"] == f"{INSTALL}/ops.env", path.name
        argv = shlex.split(service["ExecStart"])
        assert argv[0] == f"{INSTALL}/.venv/bin/ops", path.name
        # `--help` after the unit's own arguments: click parses them all first, so an unknown one fails.
        out = subprocess.run([str(bin_dir / "ops"), *argv[1:], "--help"], cwd=folder, env=clean_env(),
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, f"{path.name}: {out.stderr[-2000:]}"
        assert out.stdout.startswith("Usage:"), path.name
    timer = (UNITS / "order-hub-backup.timer").read_text()
    assert "OnCalendar=" in timer and "Persistent=true" in timer


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_reads_every_unit_without_a_complaint(tmp_path):
    folder = tmp_path / "order-hub"
    install_folder(folder)
    (folder / "ops.env").write_text("")
    (folder / "instance" / "backups").mkdir(parents=True)
    units = tmp_path / "units"
    units.mkdir()
    for path in UNITS.glob("order-hub-*"):
        (units / path.name).write_text(path.read_text().replace(INSTALL, str(folder)))
    names = sorted(p.name for p in units.iterdir())
    out = subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=units, capture_output=True,
                         text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "SYSTEMD_LOG_LEVEL": "notice"})
    complaints = [line for line in (out.stdout + out.stderr).splitlines()
                  if ("ignoring" in line or "Unknown" in line or "not executable" in line or "Failed" in line)
                  and "orderhub" not in line]  # the system user README step 1 creates is not on this machine
    assert out.returncode == 0 and complaints == [], out.stdout + out.stderr


def test_the_units_readme_installs_are_the_ones_in_the_folder():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("order-hub-web", "order-hub-worker", "order-hub-devices", "order-hub-backup.timer"):
        assert name in readme
        assert (UNITS / (name if name.endswith(".timer") else f"{name}.service")).is_file()
