"""A stand-in GPU on the CPU: flags code that mixes "device" and CPU tensors.

CI has no GPU, so a cell that mixes a tensor on the GPU with one on the CPU (a new
model called on the data, a CPU draw multiplied with device codes) would first
fail for a student on Colab. This module makes the CPU pretend to have a second
device, ``cpu:0``. ``aelab`` computes there (``AELAB_DEVICE=cpu:0``);
a PyTorch function mode tags every tensor that lives "on the device" and raises
``FakeDeviceError`` where a real GPU would raise:

- an operation on a device tensor and a CPU tensor with at least one dimension
  (0-d CPU tensors and Python numbers mix with any device, as on a GPU; a CPU
  index into a device tensor is allowed too);
- ``.numpy()`` or ``np.asarray`` of a device tensor.

Moving works as on a GPU: ``x.to(device)``, ``model.to(device)`` and factories
with ``device=`` give device tensors (copies, so the CPU original stays a CPU
tensor); ``.cpu()``, ``.to("cpu")`` and ``model.cpu()`` bring them back;
``a.copy_(b)`` copies across devices and leaves ``a`` where it was; ``t.device``
reports ``cpu:0`` for a device tensor, so ``torch.zeros(..., device=x.device)``
lands beside ``x``; whatever is computed from a device tensor (a gradient, a
slice, a deep copy of a model) is on the device.

It computes everything on the CPU, slowly (every torch call goes through Python),
and it is a check, not a proof: generators are not tracked (``tests/device_lint.py``
covers them), nor is float64 on Apple's MPS.

Usage: ``python tools/fake_gpu.py [--quick] NOTEBOOK...`` executes each notebook in
a kernel with the mode on (``AELAB_QUICK=1`` with ``--quick``) and writes nothing
back; it exits non-zero and names the cell and line of the first mixing.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten, tree_map

FAKE = torch.device("cpu", 0)  # a CPU device that the mode can tell from plain "cpu"
_TAG = "_aelab_on_fake_device"


class FakeDeviceError(RuntimeError):
    """What a real GPU would have raised (a cross-device operation, or a device tensor to NumPy)."""


def on_device(t: torch.Tensor) -> bool:
    return getattr(t, _TAG, False)


def _tag(t: object) -> object:
    if isinstance(t, torch.Tensor):
        setattr(t, _TAG, True)
    return t


def _is_fake(device: object) -> bool:
    if device is None:
        return False
    try:
        d = torch.device(device)
    except (TypeError, RuntimeError):
        return False
    return d.type == "cpu" and d.index == 0


def _to_target(args: tuple, kwargs: dict) -> object:
    """The device of a ``Tensor.to`` call, or None when it names none."""
    if "device" in kwargs:
        return kwargs["device"]
    for a in args[1:]:
        if isinstance(a, torch.device | str):
            return a
        if isinstance(a, torch.Tensor):
            return FAKE if on_device(a) else torch.device("cpu")
    return None


_T = torch.Tensor
_GET_DEVICE, _SET_DATA = _T.device.__get__, _T.data.__set__
#: no arithmetic: may take tensors of two devices (compared with ==, as property methods are new
#: objects at every access)
_NO_MIX_CHECK = [_T.__getitem__, _T.to, _T.cpu, _SET_DATA]
_NO_MIX_CHECK += [torch._has_compatible_shallow_copy_type]  # Module.to asks it
_NUMPY = [_T.numpy, _T.__array__]


class FakeDevice(TorchFunctionMode):
    """Tags device tensors and raises where a GPU would (see the module docstring)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        tensors = [t for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)]
        dev = [t for t in tensors if on_device(t)]

        if func in _NUMPY and dev:
            raise FakeDeviceError("can't convert a device tensor to numpy: call .cpu() first")
        if func == _GET_DEVICE:
            return FAKE if dev else func(*args, **kwargs)
        if func == _T.copy_:  # across devices is allowed; the copy stays where it is
            return func(*args, **kwargs)
        if func == _SET_DATA:  # Module.to sets param.data to the moved copy
            func(*args, **kwargs)
            setattr(args[0], _TAG, on_device(args[1]))  # .cpu() of a model moves it back
            return None
        target = _to_target(args, kwargs) if func == _T.to else None
        if func == _T.cpu or target is not None:
            to_device = _is_fake(target)
            moved = func(*args, **_plain(kwargs))
            if to_device == on_device(args[0]):  # it stays where it is
                return _tag(moved) if to_device else moved
            if moved is args[0]:  # a move between devices copies, as on a GPU
                moved = moved.clone()
            setattr(moved, _TAG, to_device)
            return moved
        if dev and func not in _NO_MIX_CHECK:
            host = [t for t in tensors if not on_device(t) and t.dim() > 0]
            if func == _T.__setitem__:
                host = [t for t in host if t is args[2]]  # the index may be on the CPU
            if host:
                raise FakeDeviceError(
                    f"{_name(func)} mixes a device tensor {tuple(dev[0].shape)} with a CPU "
                    f"tensor {tuple(host[0].shape)}: on a GPU this raises 'Expected all tensors "
                    "to be on the same device'"
                )
        out = func(*args, **_plain(kwargs))
        if dev or _is_fake(kwargs.get("device")):
            tree_map(_tag, out)
        return out


def _plain(kwargs: dict) -> dict:
    """kwargs with the fake device replaced by the real one (the CPU)."""
    if _is_fake(kwargs.get("device")):
        return kwargs | {"device": torch.device("cpu")}
    return kwargs


def _name(func: object) -> str:
    return getattr(func, "__qualname__", getattr(func, "__name__", repr(func)))


def install() -> None:
    """Switch the mode on for this process (aelab computes on ``cpu:0`` with ``AELAB_DEVICE``)."""
    FakeDevice().__enter__()
    new_parameter = torch.nn.Parameter.__new__

    def parameter(cls, data=None, requires_grad=True):  # deepcopy and nn.Parameter(x)
        param = new_parameter(cls, data, requires_grad)
        if data is not None and on_device(data):
            _tag(param)
        return param

    torch.nn.Parameter.__new__ = parameter


STARTUP = "import sys\nsys.path.insert(0, {tools!r})\nimport fake_gpu\nfake_gpu.install()\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--quick", action="store_true", help="AELAB_QUICK=1")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args(argv)

    import nbclient
    import nbformat

    tools = str(Path(__file__).resolve().parent)
    if tools not in sys.path:  # imported as a module (the tests), not run as a script
        sys.path.insert(0, tools)
    from execute import run_cells  # tools/execute.py, the one place that starts a kernel

    failed = 0
    with tempfile.TemporaryDirectory() as ipython_dir:
        startup = Path(ipython_dir) / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-fake-gpu.py").write_text(STARTUP.format(tools=tools))
        env = {"IPYTHONDIR": ipython_dir, "AELAB_DEVICE": "cpu:0"}  # aelab computes on FAKE
        if args.quick:
            env["AELAB_QUICK"] = "1"
        for path in args.notebooks:
            nb = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            try:  # the kernel's environment, not this process's
                run_cells(nb, path.parent, args.timeout, widgets=False, env=os.environ | env)
                print(f"{path.name}: no mixing found ({time.perf_counter() - start:.0f} s)")
            except nbclient.exceptions.CellExecutionError:
                failed += 1
                print(f"{path.name}: {_first_error(nb)}")
    return 1 if failed else 0


def _first_error(nb) -> str:
    """'cell N, line L: Error: message' for the cell that failed (tracebacks without colour)."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                frames = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(out["traceback"]))
                line = re.search(r"Cell In\[\d+\], line (\d+)", frames)
                where = f"cell {i}, line {line.group(1)}" if line else f"cell {i}"
                return f"{where}: {out['ename']}: {out['evalue']}"
    return "failed before any cell ran"


if __name__ == "__main__":
    sys.exit(main())
