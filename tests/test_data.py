import gzip
import http.server
import shutil
import threading
from functools import partial

import pytest
import torch

import aelab as ae
from aelab.data import MNIST_FILES, DataError


@pytest.fixture(scope="module")
def mnist():
    return ae.data.mnist(device="cpu")


@pytest.fixture(scope="module")
def real_files():
    """The four real files, wherever AELAB_DATA points (CI: ../shared/data)."""
    folder = ae.config.data_dir() / "MNIST" / "raw"
    return {name: ae.data.find_or_download(name, folder, download=False) for name in MNIST_FILES}


def _copy_to(tmp_path, real_files, skip=()):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name, path in real_files.items():
        if name not in skip:
            shutil.copy(path, raw / path.name)
    return raw


def test_shapes_ranges_and_labels(mnist):
    assert mnist.train.x.shape == (60_000, 784) and mnist.test.x.shape == (10_000, 784)
    assert mnist.train.x.dtype == torch.float32
    assert mnist.train.x.min() == 0 and mnist.train.x.max() == 1
    assert mnist.train.y.dtype == torch.int64
    assert mnist.train.y[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3]  # the canonical first labels
    assert torch.bincount(mnist.test.y).tolist()[:3] == [980, 1135, 1032]
    assert mnist.val is None


def test_validation_split_subset_and_image_shape():
    m = ae.data.mnist(flat=False, validation=10_000, n_train=500, device="cpu")
    assert m.train.x.shape == (500, 1, 28, 28) and len(m.train) == 500
    assert m.val.x.shape == (10_000, 1, 28, 28)
    full = ae.data.mnist(device="cpu")
    assert torch.equal(m.val.x.flatten(1), full.train.x[50_000:])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"validation": -1},
        {"validation": 60_000},
        {"n_train": 0},
        {"validation": 10_000, "n_train": 50_001},
    ],
)
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        ae.data.mnist(device="cpu", **kwargs)


def test_binarisation(mnist):
    x = mnist.test.x[:100]
    s1, s2 = ae.data.binarize_static(x, seed=0), ae.data.binarize_static(x, seed=0)
    assert torch.equal(s1, s2) and set(s1.unique().tolist()) <= {0.0, 1.0}
    d1, d2 = ae.data.binarize_dynamic(x), ae.data.binarize_dynamic(x)
    assert not torch.equal(d1, d2)
    # a Bernoulli draw keeps the mean intensity
    many = torch.stack([ae.data.binarize_dynamic(x) for _ in range(200)]).mean(0)
    assert (many - x).abs().mean() < 0.03


def test_plain_uncompressed_files_work(tmp_path, monkeypatch, real_files):
    raw = _copy_to(tmp_path, real_files, skip={"t10k-labels-idx1-ubyte"})
    src = real_files["t10k-labels-idx1-ubyte"]
    (raw / "t10k-labels-idx1-ubyte").write_bytes(gzip.decompress(src.read_bytes()))
    monkeypatch.setenv("AELAB_DATA", str(tmp_path))
    assert len(ae.data.mnist(device="cpu").test) == 10_000


def test_missing_files_offline_name_everything(tmp_path, monkeypatch):
    monkeypatch.setenv("AELAB_DATA", str(tmp_path))
    monkeypatch.setattr(ae.data, "MIRRORS", ("http://127.0.0.1:9/",))  # nothing listens there
    with pytest.raises(DataError) as err:
        ae.data.mnist(device="cpu")
    message = str(err.value)
    assert str(tmp_path / "MNIST" / "raw") in message and "AELAB_DATA" in message
    assert all(f"{name}.gz" in message for name in MNIST_FILES)
    assert not list((tmp_path / "MNIST" / "raw").glob("*.part"))


def test_download_false_does_not_touch_the_network(tmp_path, monkeypatch):
    monkeypatch.setenv("AELAB_DATA", str(tmp_path))
    with pytest.raises(DataError, match="download=False"):
        ae.data.mnist(device="cpu", download=False)


def test_truncated_file_is_a_clear_error(tmp_path, monkeypatch, real_files):
    raw = _copy_to(tmp_path, real_files)
    path = raw / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:5000])
    monkeypatch.setenv("AELAB_DATA", str(tmp_path))
    with pytest.raises(DataError, match="corrupt or truncated.*Delete it"):
        ae.data.mnist(device="cpu")


def test_wrong_content_is_caught_by_the_checksum(tmp_path, monkeypatch, real_files):
    raw = _copy_to(tmp_path, real_files)
    path = raw / "t10k-labels-idx1-ubyte.gz"
    content = bytearray(gzip.decompress(path.read_bytes()))
    content[100] = (content[100] + 1) % 10  # one wrong label, still a valid IDX file
    path.write_bytes(gzip.compress(bytes(content)))
    monkeypatch.setenv("AELAB_DATA", str(tmp_path))
    with pytest.raises(DataError, match="MD5"):
        ae.data.mnist(device="cpu")


@pytest.fixture
def mirror(tmp_path, real_files):
    """A local HTTP mirror: /good/ serves the real files, /bad/ a damaged one."""
    root = tmp_path / "www"
    (root / "good").mkdir(parents=True)
    (root / "bad").mkdir()
    for name, path in real_files.items():
        data = path.read_bytes()
        (root / "good" / f"{name}.gz").write_bytes(data)
        (root / "bad" / f"{name}.gz").write_bytes(data[: len(data) // 2])
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_download_skips_a_broken_mirror_and_verifies(tmp_path, monkeypatch, mirror):
    data_dir = tmp_path / "data"
    monkeypatch.setenv("AELAB_DATA", str(data_dir))
    monkeypatch.setattr(
        ae.data, "MIRRORS", (f"{mirror}/missing/", f"{mirror}/bad/", f"{mirror}/good/")
    )
    m = ae.data.mnist(device="cpu")
    assert len(m.train) == 60_000
    assert sorted(p.name for p in (data_dir / "MNIST" / "raw").iterdir()) == sorted(
        f"{name}.gz" for name in MNIST_FILES
    )


def test_download_of_damaged_files_only_fails_clearly(tmp_path, monkeypatch, mirror):
    monkeypatch.setenv("AELAB_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(ae.data, "MIRRORS", (f"{mirror}/bad/",))
    with pytest.raises(DataError, match="corrupt or truncated"):
        ae.data.mnist(device="cpu")
    assert not list((tmp_path / "data" / "MNIST" / "raw").glob("*"))


def test_glyphs_look_like_mnist_digits():
    letters = ae.data.glyphs("AE#", device="cpu")
    assert letters.shape == (3, 784) and letters.min() == 0 and letters.max() == 1
    ink = letters.sum(1)
    assert ((ink > 20) & (ink < 200)).all()  # about as much ink as a digit (mean ~100)
    assert not torch.equal(letters[0], letters[1])
    image = letters[0].reshape(28, 28)
    assert image[:3].sum() == 0 and image[-3:].sum() == 0  # centred, with a margin
    with pytest.raises(ValueError, match="empty"):
        ae.data.glyphs("")
