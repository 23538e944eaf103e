"""The package's shape, checked on every run: the stages are folders, the logic stages stay free of
audio, and no module imports itself in a circle (the recogniser and its engines once did)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "voice_coach"
PURE_LOGIC = ("coaching", "understanding")
AUDIO_SIDE = ("audio", "hearing", "voice", "bench")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The voice_coach modules `path` imports, at the top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("voice_coach")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("voice_coach"):
                continue
            # `from . import cues` imports the module voice_coach.voice.cues
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
    return found & set(MODULES)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def stage(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 2 else ""


def test_the_top_of_the_package_holds_only_where_a_reader_starts():
    top = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    assert len(top) <= 10, top


def test_coaching_and_understanding_import_no_audio_hearing_or_voice():
    leaks = {m: sorted(i for i in imports if stage(i) in AUDIO_SIDE)
             for m, imports in GRAPH.items() if stage(m) in PURE_LOGIC}
    assert {m: i for m, i in leaks.items() if i} == {}


def test_no_module_imports_itself_in_a_circle():
    def cycle_from(start):
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in GRAPH[node]:
                if nxt == start:
                    return path
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
        return None

    # a package's __init__ importing its own modules is not a circle a reader trips over
    cycles = {m: c for m in GRAPH if (c := cycle_from(m)) and not m.endswith("__init__")}
    assert cycles == {}
