"""The type stubs (.pyi) against the package they describe.

Every stub module, class, attribute and method must exist at runtime, and
every public name of the runtime package must be in a stub; where the
runtime gives a signature, the stub's parameters must be the same (names,
order, kinds, which have defaults). The stubs read are the ones shipped next
to the package under test, so an installed copy is checked as installed.
ManagerStats' fields are also compared with docs/python.md and
include/smmap/stats.hpp.
"""
import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

import smmap

PACKAGE_DIR = Path(smmap.__file__).resolve().parent
SOURCE_DIR = Path(__file__).resolve().parents[2]
MODULES = ["smmap", "smmap._smmap", "smmap.mman", "smmap.util", "smmap.buf", "smmap.test.lib"]

# Class members that are the machinery of a class rather than its interface.
MACHINERY = {"__doc__", "__module__", "__dict__", "__weakref__", "__slots__", "__slotnames__",
             "__new__", "__del__", "__init_subclass__", "__subclasshook__", "__qualname__",
             "__annotations__", "_pybind11_conduit_v1_"}
# Stub-only protocol methods that the runtime provides through another slot;
# test_stub_only_protocols_work checks that they do.
PROTOCOLS = {("MappedBytes", "__iter__"), ("MappedBytes", "__buffer__")}


def stub_path(module):
    relative = module.split(".")[1:] or ["__init__"]
    return PACKAGE_DIR.joinpath(*relative).with_suffix(".pyi")


def stub_tree(module):
    return ast.parse(stub_path(module).read_text(), str(stub_path(module)))


def bound_names(body):
    """Names a stub module or class body binds: defs, classes, annotated and
    plain assignments, and re-exports (`from . import x as x`)."""
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom) and (node.level > 0 or
                                                   (node.module or "").startswith("smmap")):
            names.update(a.asname for a in node.names if a.asname == a.name)
    return names - {"__all__"}


def runtime_names(module):
    """The public names of |module|: not modules, and not classes or functions
    imported from outside smmap."""
    names = set()
    for name in dir(module):
        if name.startswith("_"):
            continue
        value = getattr(module, name)
        if inspect.ismodule(value):
            continue
        origin = getattr(value, "__module__", None)
        if (inspect.isclass(value) or callable(value)) and origin and not origin.startswith("smmap"):
            continue
        names.add(name)
    return names


def stub_classes():
    for module in MODULES:
        for node in stub_tree(module).body:
            if isinstance(node, ast.ClassDef):
                yield module, node


def class_id(item):
    return f"{item[0]}.{item[1].name}"


def runtime_members(cls, stubbed):
    """|cls|'s own members; private ones (_name) only where the stub has them
    (smmap's _destroy), not the class's bookkeeping (slots, unittest's)."""
    return {name for name in cls.__dict__ if name not in MACHINERY and
            (name in stubbed or not name.startswith("_") or name.startswith("__"))}


@pytest.mark.parametrize("module", MODULES)
def test_stub_module_names_are_the_runtime_names(module):
    runtime = importlib.import_module(module)
    stubbed = bound_names(stub_tree(module).body)
    public = {n for n in stubbed if not n.startswith("_")}
    assert public == runtime_names(runtime)
    for name in stubbed - public:
        if name.startswith("__"):  # __version__, __backend__; _names are the stub's own aliases
            assert hasattr(runtime, name), name


@pytest.mark.parametrize("module", MODULES)
def test_stub_all_is_the_runtime_all(module):
    runtime = importlib.import_module(module)
    declared = None
    for node in stub_tree(module).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__"
                                                for t in node.targets):
            declared = ast.literal_eval(node.value)
    assert declared == getattr(runtime, "__all__", None)


@pytest.mark.parametrize("item", list(stub_classes()), ids=class_id)
def test_stub_class_members_are_the_runtime_members(item):
    module, node = item
    cls = getattr(importlib.import_module(module), node.name)
    stubbed = bound_names(node.body) - MACHINERY
    runtime = runtime_members(cls, stubbed)
    assert stubbed - runtime == {name for (owner, name) in PROTOCOLS if owner == node.name}
    if "__init__" in runtime - stubbed:
        # pybind11's stand-in for a class Python cannot make (ManagerStats).
        with pytest.raises(TypeError):
            cls()
        runtime.discard("__init__")
    assert runtime - stubbed == set()


def test_stub_only_protocols_work(make_file):
    region = smmap.MapRegion(make_file(smmap.ALLOCATIONGRANULARITY), 0, 0)
    mapped = region.map()
    assert list(iter(mapped))[:3] == [mapped[0], mapped[1], mapped[2]]
    with memoryview(mapped) as view:
        assert view.tobytes() == mapped[:]
    mapped.close()


def stub_parameters(function, is_method):
    """(name, kind, has default) of a stub def's parameters, self/cls left out."""
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = [False] * (len(positional) - len(args.defaults)) + [True] * len(args.defaults)
    kinds = ["POSITIONAL_ONLY"] * len(args.posonlyargs) + ["POSITIONAL_OR_KEYWORD"] * len(args.args)
    params = list(zip([a.arg for a in positional], kinds, defaults))
    if args.vararg:
        params.append((args.vararg.arg, "VAR_POSITIONAL", False))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        params.append((arg.arg, "KEYWORD_ONLY", default is not None))
    if args.kwarg:
        params.append((args.kwarg.arg, "VAR_KEYWORD", False))
    decorators = {getattr(d, "id", None) for d in function.decorator_list}
    if is_method and "staticmethod" not in decorators:
        params = params[1:]
    return params


PYBIND_SIGNATURE = re.compile(r"^\w+\((?P<params>.*)\) -> ")


def runtime_parameters(value):
    """The runtime's (name, kind, has default) list, or None when it gives none."""
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        match = PYBIND_SIGNATURE.match((getattr(value, "__doc__", None) or "").split("\n")[0])
        if match is None:
            return None
        params = []
        for part in filter(None, (p.strip() for p in match["params"].split(", "))):
            name = part.split(":")[0].strip()
            if name != "self":
                params.append((name, "POSITIONAL_OR_KEYWORD", "=" in part))
        return params
    params = [(p.name, p.kind.name, p.default is not inspect.Parameter.empty)
              for p in signature.parameters.values() if p.name not in ("self", "cls")]
    if [kind for _, kind, _ in params] == ["VAR_POSITIONAL", "VAR_KEYWORD"]:
        return None  # a C type's generic __init__: nothing to compare
    return params


def stub_functions():
    for module, node in stub_classes():
        for member in node.body:
            if isinstance(member, ast.FunctionDef) and not any(
                    getattr(d, "id", None) in ("property", "overload")
                    for d in member.decorator_list) and (node.name, member.name) not in PROTOCOLS:
                yield module, node.name, member
    for module in MODULES:
        for member in stub_tree(module).body:
            if isinstance(member, ast.FunctionDef):
                yield module, None, member


@pytest.mark.parametrize("item", list(stub_functions()),
                         ids=lambda i: ".".join(filter(None, [i[0], i[1], i[2].name])))
def test_stub_signatures_are_the_runtime_signatures(item):
    module, class_name, function = item
    owner = importlib.import_module(module)
    if class_name is not None:
        owner = getattr(owner, class_name)
    if function.name == "__init__":
        # A class's signature is its constructor's; C types give it on the class.
        runtime = runtime_parameters(owner) or runtime_parameters(owner.__init__)
    else:
        runtime = runtime_parameters(getattr(owner, function.name))
    if runtime is None:
        pytest.skip("the runtime gives no signature")
    stubbed = stub_parameters(function, class_name is not None)
    # pybind11 names unnamed arguments arg0, arg1...: those take the stub's names.
    runtime = [(s[0],) + r[1:] if s and re.fullmatch(r"arg\d+", r[0]) else r
               for s, r in zip(stubbed + [None] * len(runtime), runtime)]
    assert stubbed == runtime


def stats_fields_of_the_header():
    header = (SOURCE_DIR / "include/smmap/stats.hpp").read_text()
    return re.findall(r'^\s*\{"(\w+)", "[^"]*", &ManagerStats::\1\},$', header, re.MULTILINE)


def test_manager_stats_fields_everywhere_alike():
    stub = next(node for module, node in stub_classes() if node.name == "ManagerStats")
    stubbed = [m.name for m in stub.body if isinstance(m, ast.FunctionDef)
               and any(getattr(d, "id", None) == "property" for d in m.decorator_list)]
    runtime = [name for name, value in vars(smmap.ManagerStats).items()
               if isinstance(value, property)]
    text = (SOURCE_DIR / "docs/python.md").read_text()
    documented = re.search(r"returns a `ManagerStats` snapshot: (.*?)\.\n", text, re.DOTALL)
    assert documented, "docs/python.md no longer lists ManagerStats' fields"
    listed = re.findall(r"`(\w+)`", documented.group(1))
    header = stats_fields_of_the_header()
    assert header, "include/smmap/stats.hpp: kManagerStatsFields not found"
    assert stubbed == header
    assert runtime == header
    assert listed == header
    snapshot = smmap.SlidingWindowMapManager().stats()
    assert all(isinstance(getattr(snapshot, name), int) for name in header)
