"""benchmarks/train_speed.py runs end to end (tiny configuration) and reports its ratios.

It checks that the benchmark works, not how fast anything is.
"""

import json
import math

import pytest
import scripts
import torch

import aelab as ae

train_speed = scripts.load("benchmarks/train_speed.py")


def test_tiny_benchmark_reports_a_ratio_per_model(tmp_path, capsys):
    out = tmp_path / "speed.json"
    report = train_speed.main(["--n-train", "1024", "--epochs", "1", "--json", str(out)])
    assert json.loads(out.read_text()) == report
    assert report["n_train"] == 1024 and report["threads"] == torch.get_num_threads()
    assert report["device"].startswith("cpu")  # the tests run on the CPU (conftest.py)
    assert [r["model"] for r in report["results"]] == [
        "VAE 784-400-20",
        "AE 784-1000-500-250-30",
    ]
    for r in report["results"]:
        assert len(r["conventional_seconds"]) == len(r["fit_seconds"]) == 1
        assert math.isfinite(r["ratio"]) and r["ratio"] > 0
        assert r["ratio"] == r["conventional_median"] / r["fit_median"]
    table = capsys.readouterr().out
    assert "| VAE 784-400-20 | 128 |" in table and "| AE 784-1000-500-250-30 | 128 |" in table


def test_the_conventional_loop_trains():
    ae.config.seed(0)
    x = torch.rand(256, 784)
    _, build, loss, _ = train_speed.MODELS["ae"]
    model = build()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=64)
    first = train_speed.conventional_epoch(model, loader, loss, optimizer, torch.device("cpu"))
    for _ in range(3):
        last = train_speed.conventional_epoch(model, loader, loss, optimizer, torch.device("cpu"))
    assert math.isfinite(first) and last < first


@pytest.mark.parametrize("argv", [["--models", "vae,cnn"], ["--models", ""], ["--epochs", "0"]])
def test_bad_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit):
        train_speed.main(argv)
    assert "--" in capsys.readouterr().err
