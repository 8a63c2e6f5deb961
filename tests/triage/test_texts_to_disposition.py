"""scripts/texts_to_disposition.py plays the sample stories through the core and prints a table."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "texts_to_disposition.py"


def test_it_prints_the_median_texts_per_disposition(capsys, monkeypatch):
    monkeypatch.setattr("sys.argv", [str(SCRIPT)])
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(SCRIPT), run_name="__main__")
    assert done.value.code == 0  # every story got its expected disposition
    out = capsys.readouterr().out
    assert out.startswith("| disposition | stories | median texts to disposition |")
    rows = {line.split("|")[1].strip(): line for line in out.splitlines()[2:]}
    assert set(rows) == {"emergency", "urgent", "soon", "self_care"}
    soon_median = float(rows["soon"].split("|")[3])
    assert soon_median < 16  # the story stops once decided
