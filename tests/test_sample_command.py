"""``coverbook sample``: a whole synthetic data folder (the shipped reference files
copied byte for byte, the settings' source line marking the figures as synthetic), its
summary line in English counts, and its ticker capacity enforced as a usage error."""

from __future__ import annotations

from click.testing import CliRunner

from workbook import DATA_DIR
from workbook.cli import cli
from workbook.dataset import load_dataset


def test_sample_beyond_the_ticker_capacity_is_a_usage_error(tmp_path):
    # The ranges hold 99,999 codes (see test_csv_dialects: every one of them loads).
    result = CliRunner().invoke(cli, ["sample", "--stocks", "100000", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "1<=x<=99999" in result.output


def test_sample_copies_every_reference_file_and_counts_in_english(tmp_path):
    # The sample is a whole data folder: the shipped fx.csv and workloads.csv come
    # with it byte for byte (Token场景 needs both), and "1 stock x 1 fiscal year".
    out = tmp_path / "one"
    result = CliRunner().invoke(cli, ["sample", "--stocks", "1", "--years", "1", "--out",
                                      str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}: 1 stock x 1 fiscal year (seed 0)\n"
    for name in ("fx.csv", "workloads.csv", "token_prices.csv", "claims.csv"):
        assert (out / name).read_bytes() == (DATA_DIR / name).read_bytes(), name
    shipped = (DATA_DIR / "settings.toml").read_text(encoding="utf-8").splitlines()
    sample = (out / "settings.toml").read_text(encoding="utf-8").splitlines()
    # the shipped settings, but the report's source line is replaced: random figures
    assert sample[:-1] == [line for line in shipped if not line.startswith("source =")]
    assert sample[-1] == 'source = "coverbook sample (seed 0): synthetic figures, not estimates"'
    data = load_dataset(out)
    assert len(data.coverage.stocks) == 1 and len(data.coverage.years) == 1
    assert data.workloads and data.fx
    result = CliRunner().invoke(cli, ["sample", "--stocks", "1200", "--years", "3",
                                      "--out", str(tmp_path / "many")])
    assert result.output == f"wrote {tmp_path / 'many'}: 1,200 stocks x 3 fiscal years (seed 0)\n"
