"""YAML loading that remembers the line of every mapping key, and refuses what a config never needs.

A supervisor who mistypes the registry must be told *where*: pydantic reports a location path
(`portals.3.units.1.profile`) and this module turns that path back into a file line.

Every configuration file (registry, catalog, scoring, report settings, schedule, notifications,
review imports) is read here, bounded: aliases (`*name`, the "billion laughs" expansion) are
refused, nesting is limited, a file is at most MAX_BYTES, and NUL or other characters YAML forbids
are a `FILE:LINE` error like any syntax mistake — never a traceback or gigabytes of memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from zwgk.errors import BadInput

MAX_BYTES = 20 * 1024 * 1024  # a province's registry is a few MB
MAX_DEPTH = 50  # the deepest shipped file nests 6 levels


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (a silent override would lose a unit), aliases and
    deep nesting."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise BadInput(
                "配置文件不接受 YAML 别名（*名称），请把值直接写出",
                path=getattr(self, "zwgk_path", None),
                line=event.start_mark.line + 1,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise BadInput(
                    f"嵌套超过 {MAX_DEPTH} 层",
                    path=getattr(self, "zwgk_path", None),
                    line=self.peek_event().start_mark.line + 1,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise BadInput(
                f"重复的字段 {key!r}（第一次出现在第 {seen[key]} 行）",
                path=getattr(loader, "zwgk_path", None),
                line=key_node.start_mark.line + 1,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_index(node: yaml.Node, prefix: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Map every location path (keys and list indexes) to its 1-based line."""
    out = {} if out is None else out
    out.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[(*prefix, key)] = key_node.start_mark.line + 1
            _line_index(value_node, (*prefix, key), out)
            # A value's own line is more precise for scalars (errors are usually about the value).
            if isinstance(value_node, yaml.ScalarNode):
                out[(*prefix, key)] = value_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_index(item, (*prefix, i), out)
    return out


class LocatedYaml:
    """A parsed YAML document plus the line of each location inside it."""

    def __init__(self, path: Path, data: Any, lines: dict[tuple, int]):
        self.path = path
        self.data = data
        self.lines = lines

    def line_of(self, loc: tuple) -> int | None:
        """Line of the deepest known prefix of `loc` (pydantic locations may name missing keys)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get(())


def load_located(path: str | Path) -> LocatedYaml:
    """Parse a YAML file; any syntax problem becomes BadInput with file and line."""
    path = Path(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_BYTES:
            raise BadInput(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB", path=str(path))
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput("文件不存在", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise BadInput(f"不是 UTF-8 编码的文本（{exc.reason}）", path=str(path)) from None
    except OSError as exc:
        raise BadInput(f"无法读取：{exc.strerror}", path=str(path)) from None
    node, data = parse_text(text, str(path))
    lines = _line_index(node) if node is not None else {}
    return LocatedYaml(path, data, lines)


def parse_text(text: str, where: str) -> tuple[yaml.Node | None, Any]:
    """(node, data) of one YAML document, bounded as this module says; errors name `where` and a line."""
    try:
        loader = _LineLoader(text)
        loader.zwgk_path = where  # type: ignore[attr-defined]
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise BadInput(f"YAML 格式有误：{exc.problem or exc}", path=where, line=line) from None
    except yaml.reader.ReaderError as exc:  # NUL and other characters YAML does not allow
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise BadInput(
            f"YAML 格式有误：不允许出现字符 U+{exc.character:04X}", path=where, line=line
        ) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise BadInput(f"YAML 格式有误：{type(exc).__name__}", path=where) from None
    return node, data


def load_mapping(path: str | Path, what: str) -> dict:
    """A YAML file that must hold a mapping (an empty file is an empty one); every problem —
    unreadable, not UTF-8, bad syntax, duplicate key, not a mapping — is BadInput with file:line."""
    data = load_located(path).data
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadInput(f"{what}应为“字段: 值”的映射", path=str(path), line=1)
    return data


def refuse_unknown_keys(
    doc: LocatedYaml, reference: Any, what: str, open_maps: frozenset[tuple[str, ...]] = frozenset()
) -> None:
    """Every key of `doc` must be one the shipped defaults (`reference`) know: a typo such as
    `deductons:` is refused with its file and line instead of silently keeping the default.

    `open_maps` are the locations whose keys the user chooses (rule ids, veto line names; `*`
    matches any key); their values are checked against the union of the defaults' values there.
    """

    def pattern_hit(loc: tuple) -> bool:
        keys = tuple(k for k in loc if not isinstance(k, int))
        return any(
            len(p) == len(keys) and all(a in ("*", b) for a, b in zip(p, keys, strict=True))
            for p in open_maps
        )

    def walk(value: Any, ref: Any, loc: tuple) -> None:
        if isinstance(value, list) and isinstance(ref, list) and ref:
            for i, item in enumerate(value):
                walk(item, ref[0], (*loc, i))
            return
        if not (isinstance(value, dict) and isinstance(ref, dict)):
            return
        if pattern_hit(loc):
            merged: dict = {}
            for v in ref.values():
                if isinstance(v, dict):
                    merged.update(v)
            for key, v in value.items():
                walk(v, merged or None, (*loc, key))
            return
        for key, v in value.items():
            if key not in ref:
                where = ".".join(str(k) for k in (*loc, key))
                raise BadInput(
                    f"{what}中有未知字段 {where!r}（此处可用的字段：{', '.join(map(str, ref))}）",
                    path=str(doc.path),
                    line=doc.line_of((*loc, key)),
                )
            walk(v, ref[key], (*loc, key))

    walk(doc.data, reference, ())
