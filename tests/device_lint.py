"""A static check for code that runs on the CPU but breaks on a GPU (CUDA or Apple MPS).

``check(source)`` parses Python source and returns a :class:`Finding` for each
place that breaks the rules of ``tests/test_device_safety.py`` (its docstring
explains them and why each is a bug on a GPU). ``check_notebook(path)`` does the
same for the code cells of a notebook, read as one program in cell order.

The check is deliberately simple: it follows expressions like
``model(x).detach().cpu().numpy()`` as chains of calls, attributes and
subscripts, and knows a value is on the CPU ("host") only when the chain says
so (``.cpu()``, ``.numpy()``, ``torch.from_numpy``, a ``torch`` factory without
``device=``), or the value is a name every assignment of which (in its
function, or in the notebook) is such a host value.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

#: torch functions that build a tensor from scratch (on the CPU unless given ``device=``)
FACTORIES = {"tensor", "zeros", "ones", "full", "empty", "arange", "linspace", "logspace", "eye"}
FACTORIES |= {"rand", "randn", "randint", "randperm"}
#: torch functions whose random draw lives on the device of their first argument
RANDOM_OF_TENSOR = {"bernoulli", "multinomial", "poisson", "normal"}
#: in-place random methods of a tensor
RANDOM_METHODS = {"normal_", "uniform_", "bernoulli_", "exponential_", "random_", "geometric_"}
RANDOM_METHODS |= {"log_normal_", "cauchy_"}
#: methods only tensors have: an ``np.asarray`` of such a chain converts a tensor
TENSOR_METHODS = {"detach", "float", "double", "half", "long", "to", "clone", "contiguous"}
TENSOR_METHODS |= {"unsqueeze", "permute", "cuda", "requires_grad_"}
HOST_METHODS = {"cpu", "numpy", "item", "tolist"}
FLOAT64 = {"torch.float64", "torch.double"}
COMPREHENSIONS = ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
SCOPES = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | COMPREHENSIONS
#: what a model is called in this book's code: ``model(x)``, ``self.decoder(z)``, ``vae_1d(x)``
MODEL_NAME = re.compile(r"^(model|encoder|decoder|net|vae|ae|clf|classifier|denoiser)(_\w+)?$")
PRAGMA = re.compile(r"#\s*device-ok:\s*\S")


@dataclass(frozen=True, order=True)
class Finding:
    line: int
    rule: str
    message: str


def _dotted(node: ast.AST) -> str:
    """``torch.nn.functional`` for a chain of names and attributes, else ''."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _chain(node: ast.AST) -> list[ast.AST]:
    """``a.b(c)[d].e()`` as its steps, outermost first, ending with the root ``a``."""
    steps = [node]
    while isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
        steps.append(node)
    return steps


def _method(call: ast.AST) -> str:
    """The method name of ``x.name(...)``, else ''."""
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_cpu(node: ast.AST | None) -> bool:
    """A literal CPU device: ``"cpu"`` or ``torch.device("cpu")``."""
    if isinstance(node, ast.Constant):
        return node.value == "cpu"
    if isinstance(node, ast.Call) and _dotted(node.func) == "torch.device" and node.args:
        return _is_cpu(node.args[0])
    return False


def _factory(call: ast.AST) -> str:
    """``rand`` for ``torch.rand(...)`` and the other factories, else ''."""
    if isinstance(call, ast.Call):
        name = _dotted(call.func)
        if name.startswith("torch.") and name[6:] in FACTORIES:
            return name[6:]
    return ""


def is_host(node: ast.AST, hosts: set[str]) -> bool:
    """True if ``node`` is certainly not a tensor on a GPU (a CPU tensor, a number, an array)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.List | ast.Tuple):
        return all(is_host(e, hosts) for e in node.elts)
    if isinstance(node, ast.BinOp):
        return is_host(node.left, hosts) and is_host(node.right, hosts)
    if isinstance(node, ast.UnaryOp):
        return is_host(node.operand, hosts)
    if isinstance(node, COMPREHENSIONS):
        loop_names = {
            n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)
        }
        element = node.value if isinstance(node, ast.DictComp) else node.elt
        return is_host(element, {n for n in hosts if n not in loop_names})
    steps = _chain(node)
    for step in steps:
        method = _method(step)
        if method in HOST_METHODS or (method == "to" and _is_cpu(_to_device(step))):
            return True
        if not isinstance(step, ast.Call):
            continue
        name = _dotted(step.func)
        if name.split(".")[0] in {"np", "numpy", "math"} or name == "torch.from_numpy":
            return True
        if name == "torch.as_tensor" or _factory(step):
            device = _keyword(step, "device")
            if device is not None:
                return _is_cpu(device)
            return name != "torch.as_tensor" or is_host(step.args[0], hosts)
        if name.startswith("torch.") and step.args and _keyword(step, "device") is None:
            # an operation's result lives where its tensors do
            return all(is_host(a, hosts) for a in step.args if not isinstance(a, ast.Starred))
        if name in {"enumerate", "zip", "reversed", "sorted", "list", "tuple"}:
            return all(is_host(a, hosts) for a in step.args)
        if name.split(".")[-1][:1].isupper():  # a class: a new nn.Module is on the CPU
            return True
    if isinstance(steps[-1], COMPREHENSIONS | ast.List | ast.Tuple):  # (a, b) = (... for ...)
        return is_host(steps[-1], hosts)
    return isinstance(steps[-1], ast.Name) and steps[-1].id in hosts


def _to_device(call: ast.Call) -> ast.expr | None:
    """The device of ``x.to(device)`` / ``x.to(device=...)``."""
    return _keyword(call, "device") or (call.args[0] if call.args else None)


def _cpu_generator(node: ast.AST, cpu_generators: set[str]) -> bool:
    """``torch.Generator()`` (maybe ``.manual_seed(s)``), or a name bound only to one."""
    if isinstance(node, ast.Name):
        return node.id in cpu_generators
    steps = _chain(node)
    for step in steps:
        if isinstance(step, ast.Call) and _dotted(step.func) == "torch.Generator":
            device = _keyword(step, "device") or (step.args[0] if step.args else None)
            return device is None or _is_cpu(device)
    return False


def _cpu_tensor(node: ast.AST, cpu_tensors: set[str]) -> bool:
    """A tensor built on the CPU: ``torch.from_numpy``, a factory without ``device=``, or a name
    bound only to one; not a 0-d ``torch.tensor(1.0)``, which mixes with tensors anywhere."""
    if isinstance(node, ast.Name):
        return node.id in cpu_tensors
    steps = _chain(node)
    if any(_method(s) in {"to", "cuda"} for s in steps):
        return False
    call = next((s for s in reversed(steps) if isinstance(s, ast.Call)), None)
    if call is None or _keyword(call, "device") is not None:
        return False
    if _dotted(call.func) == "torch.from_numpy":
        return True
    scalar = _factory(call) == "tensor" and isinstance(call.args[0], ast.Constant)
    return bool(_factory(call)) and not scalar


def _names_device(node: ast.AST | None) -> bool:
    """A device that may be a GPU: ``"cuda"``, ``x.device``, ``device``, ``ae.config.device()``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.split(":")[0] in {"cuda", "mps"}
    if isinstance(node, ast.Call):
        return _dotted(node.func).endswith("config.device")
    return (isinstance(node, ast.Attribute) and node.attr == "device") or (
        isinstance(node, ast.Name) and node.id in {"device", "dev"}
    )


def _device_tensor(node: ast.AST, device_tensors: set[str]) -> bool:
    """A tensor evidently on a device: ``.to(device)``, ``.cuda()``, a factory with
    ``device=device``, or a name bound only to such."""
    if isinstance(node, ast.Name):
        return node.id in device_tensors
    if isinstance(node, ast.BinOp | ast.Compare):
        parts = [node.left, node.right] if isinstance(node, ast.BinOp) else [node.left]
        parts += node.comparators if isinstance(node, ast.Compare) else []
        return any(_device_tensor(p, device_tensors) for p in parts)
    for step in _chain(node):
        method = _method(step)
        if method in HOST_METHODS:
            return False
        if method == "cuda" or (method == "to" and _names_device(_to_device(step))):
            return True
        if _factory(step):
            return _names_device(_keyword(step, "device"))
    return False


class _Scope:
    """The assignments of one function (or module) body, without nested functions."""

    def __init__(self, node: ast.AST, outer: _Scope | None) -> None:
        self.node, self.outer = node, outer
        self.nodes = list(self._walk(node))
        self.values: dict[str, list[ast.AST]] = {}
        params = node.args if isinstance(node, ast.FunctionDef | ast.Lambda) else None
        for arg in params.posonlyargs + params.args + params.kwonlyargs if params else []:
            self.values.setdefault(arg.arg, []).append(ast.Name("<parameter>"))
        for n in self.nodes:
            for target, value in self._bindings(n):
                self.values.setdefault(target, []).append(value)
        self.hosts = self._fixpoint(lambda v, names: is_host(v, names), outer and outer.hosts)
        self.cpu_generators = self._fixpoint(_cpu_generator, outer and outer.cpu_generators)
        self.cpu_tensors = self._fixpoint(_cpu_tensor, outer and outer.cpu_tensors)
        self.device_tensors = self._fixpoint(_device_tensor, outer and outer.device_tensors)

    @staticmethod
    def _walk(node: ast.AST) -> Iterator[ast.AST]:
        for child in ast.iter_child_nodes(node):
            yield child
            if not isinstance(child, SCOPES):
                yield from _Scope._walk(child)

    @staticmethod
    def _bindings(node: ast.AST) -> Iterator[tuple[str, ast.AST]]:
        """(name, value) for ``name = value``, ``a, b = x, y``, ``for name in value``."""
        pairs = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
            pairs = [(node.target, node.value)]
        elif isinstance(node, ast.For | ast.comprehension):
            pairs = [(node.target, ast.Subscript(node.iter, ast.Constant(0)))]
        while pairs:
            target, value = pairs.pop()
            if isinstance(target, ast.Name):
                yield target.id, value
            elif isinstance(target, ast.Tuple | ast.List):
                if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                    pairs += zip(target.elts, value.elts, strict=True)
                else:
                    pairs += [(t, ast.Subscript(value, ast.Constant(0))) for t in target.elts]

    def _fixpoint(self, test, inherited: set[str] | None) -> set[str]:
        """Names whose every binding passes ``test`` (the largest such set), plus ``inherited``
        names not bound here."""
        names = set(self.values) | {n for n in inherited or () if n not in self.values}
        while True:
            keep = {
                n
                for n in names
                if n not in self.values or all(test(v, names) for v in self.values[n])
            }
            if keep == names:
                return names
            names = keep


def _findings_in(
    scope: _Scope, float64: bool, parents: dict[ast.AST, ast.AST]
) -> Iterator[Finding]:
    hosts = scope.hosts
    for node in scope.nodes:
        if isinstance(node, ast.Call):
            yield from _call_findings(node, scope, float64, parents)
        elif float64 and isinstance(node, ast.Attribute) and _dotted(node) in FLOAT64:
            call = parents.get(parents.get(node))  # dtype=torch.float64 -> keyword -> call
            if isinstance(call, ast.Call) and _factory(call) and not is_host(call, hosts):
                yield Finding(node.lineno, "float64", f"{_factory(call)}(dtype=float64) on {_MPS}")
            elif isinstance(call := parents.get(node), ast.Call) and _method(call) == "to":
                if not is_host(call.func.value, hosts):
                    yield Finding(node.lineno, "float64", f".to(float64) of {_TENSOR} on {_MPS}")


_TENSOR = "a tensor that may be on a GPU"
_MPS = "a device: Apple's MPS has no float64; convert after .cpu()"


def _call_findings(
    call: ast.Call, scope: _Scope, float64: bool, parents: dict[ast.AST, ast.AST]
) -> Iterator[Finding]:
    hosts, line = scope.hosts, call.lineno
    method, name = _method(call), _dotted(call.func)
    if method == "numpy" and not call.args and not is_host(call.func.value, hosts):
        yield Finding(line, "numpy", f".numpy() of {_TENSOR}: write .cpu().numpy()")
    if name in {"np.asarray", "np.array", "np.asanyarray"} and call.args:
        arg = call.args[0]
        steps = _chain(arg)
        tensor_like = any(_method(s) in TENSOR_METHODS for s in steps) or _dotted(
            steps[-1]
        ).startswith("torch")
        if tensor_like and not is_host(arg, hosts):
            yield Finding(line, "numpy", f"{name}() of {_TENSOR}: convert .cpu() first")
    generator = _keyword(call, "generator")
    if generator is not None and not (isinstance(generator, ast.Constant)):
        torch_call = name.startswith("torch.") or method in RANDOM_METHODS
        device = _keyword(call, "device")
        if name[6:] in RANDOM_OF_TENSOR and call.args and device is None:
            tensor = call.args[0]
        elif method in RANDOM_METHODS:
            tensor = call.func.value
        else:
            tensor = None
        on_device = (device is not None and not _is_cpu(device)) or (
            tensor is not None and not is_host(tensor, hosts)
        )
        # drawn where the generator lives: device=generator.device, p.to(generator.device)
        names = {
            n.id
            for n in ast.walk(ast.Tuple([device or tensor or generator]))
            if isinstance(n, ast.Name)
        }
        on_device = on_device and not (isinstance(generator, ast.Name) and generator.id in names)
        if torch_call and on_device and _cpu_generator(generator, scope.cpu_generators):
            yield Finding(
                line, "generator", "a CPU generator draws on a device: give it that device"
            )
        elif torch_call and on_device and _is_parameter(generator, scope):
            yield Finding(
                line, "generator", "a generator passed in may live on another device: use aelab.rng"
            )
    yield from _mixing_findings(call, scope, name)
    if float64 and method == "double" and not is_host(call.func.value, hosts):
        yield Finding(line, "float64", f".double() of {_TENSOR} on {_MPS}")


def _mixing_findings(call: ast.Call, scope: _Scope, name: str) -> Iterator[Finding]:
    """A CPU-built tensor handed to a model, or to a torch operation with a device tensor."""
    args = [
        a
        for arg in call.args
        for a in (arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg])
    ]
    cpu = [a for a in args if _cpu_tensor(a, scope.cpu_tensors)]
    if not cpu:
        return
    callee = call.func.attr if isinstance(call.func, ast.Attribute) else _dotted(call.func)
    to_model = bool(MODEL_NAME.search(callee)) and not _dotted(call.func).startswith("torch.")
    to_torch_op = name.startswith("torch.") and any(
        _device_tensor(a, scope.device_tensors) for a in args if a not in cpu
    )
    if to_model or to_torch_op:
        yield Finding(
            call.lineno, "constant", f"a tensor built on the CPU meets {_TENSOR}: give it device="
        )


def _is_parameter(node: ast.AST, scope: _Scope) -> bool:
    """A name bound (in this function) only as a parameter."""
    values = scope.values.get(node.id, []) if isinstance(node, ast.Name) else []
    return bool(values) and all(_dotted(v) == "<parameter>" for v in values)


def check(source: str, float64: bool = True) -> list[Finding]:
    """The findings of ``source`` (``float64``: also flag float64 on a possible device)."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    scopes = {tree: _Scope(tree, None)}
    for node in ast.walk(tree):  # parents before children: outer scopes exist first
        if isinstance(node, SCOPES):
            outer = parents[node]
            while outer not in scopes:
                outer = parents[outer]
            scopes[node] = _Scope(node, scopes[outer])
    lines = source.splitlines()
    found = {f for scope in scopes.values() for f in _findings_in(scope, float64, parents)}
    return sorted(f for f in found if not PRAGMA.search(lines[f.line - 1]))


def check_notebook(path: Path) -> list[tuple[int, int, Finding]]:
    """``(cell index, line in the cell, finding)`` for the code cells of a notebook."""
    notebook = nbformat.read(path, as_version=4)
    lines, where = [], []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            for number, text in enumerate(cell.source.splitlines(), 1):
                # IPython magics and shell lines are not Python: a `pass` keeps the indentation
                lines.append(re.sub(r"^(\s*)[%!].*", r"\1pass", text))
                where.append((index, number))
    return [(*where[f.line - 1], f) for f in check("\n".join(lines))]
