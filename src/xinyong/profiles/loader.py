"""Find, merge and validate jurisdiction profiles.

A profile is a TOML file that may ``extends`` another; the child's values replace the parent's key by key
(tables merge, everything else is replaced whole). A setting (a table with ``value``) is one value, replaced
whole, so a parent's ``chosen = true`` never sticks to a value the child cites as law. The merged result is
validated once; an error names the file that set the offending key, the key, and what is wrong with it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from xinyong.errors import XinyongError, explain
from xinyong.profiles.schema import Profile

BUILTIN_DIR = Path(__file__).parent
BUILTIN = ("national", "jinan", "liaoning", "ct", "jiangsu")
NAME = re.compile(r"^[a-z][a-z0-9_-]*$")

Origins = dict[tuple[str, ...], Path]

# Tables a child replaces whole rather than key by key: a jurisdiction's objection procedure has its own
# steps, and its own local period, so none of the parent's may linger.
WHOLE_TABLES = {("objection", "deadlines"), ("publicity", "local")}


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def locate(name: str, search: tuple[Path, ...] = (), exclude: Path | None = None) -> Path:
    """A profile is a path to a ``.toml`` file, or a name looked up in ``search`` then the built-in folder.

    ``exclude`` lets a deployment's ``national.toml`` extend the built-in ``national`` it shadows.
    """
    if name.endswith(".toml"):
        path = Path(name)
        if not path.is_file():
            raise XinyongError("profile.not_found", f"找不到配置文件 {path}", field="profile")
        return path
    if not NAME.match(name):
        raise XinyongError(
            "profile.unknown",
            f"辖区配置名称 {name!r} 无效：只能由小写字母、数字、-、_ 组成；配置文件请写 .toml 路径",
            field="profile",
        )
    for folder in (*search, BUILTIN_DIR):
        candidate = folder / f"{name}.toml"
        if candidate.is_file() and (exclude is None or candidate.resolve() != exclude.resolve()):
            return candidate
    known = "、".join(builtin_names())
    raise XinyongError("profile.unknown", f"未知的辖区配置 {name!r}；可选：{known}", field="profile")


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise XinyongError("profile.syntax", f"{path}：TOML 语法错误：{exc}", field=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise XinyongError("profile.syntax", f"{path}：文件不是 UTF-8 编码", field=str(path)) from exc
    except OSError as exc:
        raise XinyongError(
            "profile.unreadable", f"{path}：无法读取（{exc.strerror}）", field=str(path)
        ) from exc


def _leaves(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for key, value in data.items():
        path = (*prefix, key)
        yield path
        if isinstance(value, Mapping):
            yield from _leaves(value, path)


def _get(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def _is_setting(value: Any) -> bool:
    return isinstance(value, Mapping) and "value" in value


def _merges_into(path: tuple[str, ...], value: Any, parent: Any) -> bool:
    """Whether ``value`` merges key by key into ``parent`` rather than replacing it whole."""
    if not (isinstance(value, Mapping) and isinstance(parent, dict)):
        return False
    return path not in WHOLE_TABLES and not _is_setting(value) and not _is_setting(parent)


def _merge(base: dict[str, Any], top: Mapping[str, Any], at: tuple[str, ...] = ()) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        path = (*at, key)
        parent = merged.get(key)
        if isinstance(parent, dict) and _merges_into(path, value, parent):
            merged[key] = _merge(parent, value, path)
        else:
            merged[key] = value
    return merged


def _resolve(path: Path, search: tuple[Path, ...], seen: tuple[Path, ...]) -> tuple[dict[str, Any], Origins]:
    if path.resolve() in seen:
        chain = " -> ".join(str(p) for p in (*seen, path.resolve()))
        raise XinyongError("profile.cycle", f"配置继承出现循环：{chain}", field="extends")
    data = _read(path)
    parent_name = data.get("extends")
    merged: dict[str, Any] = {}
    origins: Origins = {}
    if parent_name is not None:
        if not isinstance(parent_name, str):
            raise XinyongError("profile.invalid", f"{path}：extends 应为配置名称", field="extends")
        parent = locate(parent_name, (path.parent, *search), exclude=path)
        merged, origins = _resolve(parent, search, (*seen, path.resolve()))
    for at in _leaves(data):
        if not _merges_into(at, _get(data, at), _get(merged, at)):
            # Replaced whole: nothing below it comes from the parent any more.
            origins = {k: v for k, v in origins.items() if k[: len(at)] != at}
    for leaf in _leaves(data):
        origins[leaf] = path
    return _merge(merged, data), origins


def _origin(loc: tuple[str | int, ...], origins: Origins, fallback: Path) -> Path:
    keys = tuple(str(part) for part in loc)
    for end in range(len(keys), 0, -1):
        if keys[:end] in origins:
            return origins[keys[:end]]
    return fallback


def load_profile(name: str, search: tuple[Path, ...] = ()) -> Profile:
    """Resolve ``name`` (with its parents) into a validated :class:`Profile`."""
    path = locate(name, search)
    data, origins = _resolve(path, search, ())
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"] if part != "[key]")
            problems.append(
                (key, f"{_origin(error['loc'], origins, path)}：设置 {key} 无效：{explain(error)}")
            )
        raise XinyongError(
            "profile.invalid", "；".join(text for _, text in problems), field=problems[0][0]
        ) from exc
