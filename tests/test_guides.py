"""The role guides quote only commands that exist, and every image the docs show is there.

Each `aidledger ...` command in a fenced code block of docs/guides/*.md (also after a `$ `
prompt, `VAR=value`, `&&` or a path such as `.venv/bin/aidledger`) must name a command path of
the Typer app, and each of its `--options` must be one of that command's. Every image link in
README.md and docs/**/*.md (Markdown `![alt](path)` or HTML `<img src>`) must point to a file.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from ledger.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ROOT / "docs" / "guides"
ROLES = ("donor", "intake-clerk", "warehouse-operator", "coordinator", "auditor", "operator")
FENCE = re.compile(r"^[ \t]*(```|~~~)([^\n]*)\n(.*?)^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
SHELL_BLOCKS = {"", "sh", "shell", "bash", "console", "text"}  # ini, nginx, toml: not commands
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.IGNORECASE)
SEPARATORS = {"&&", "||", "|", ";", "(", ")", "&", "|&", ";;"}


@dataclass(frozen=True)
class Quoted:
    """One `aidledger` command found in a code block: where, and the words after `aidledger`."""

    where: str
    words: tuple[str, ...]


def code_blocks(text: str) -> list[str]:
    """The contents of every fenced code block of shell commands (no info string, or sh)."""
    return [
        match.group(3)
        for match in FENCE.finditer(text)
        if match.group(2).strip().lower() in SHELL_BLOCKS
    ]


def without_comment(line: str) -> str:
    """The line up to a shell comment: a `#` that starts a word, outside quotes."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def quoted_in(text: str, name: str) -> list[Quoted]:
    """Every `aidledger` invocation in the fenced code blocks of a Markdown text."""
    found: list[Quoted] = []
    for block in code_blocks(text):
        for line in block.replace("\\\n", " ").splitlines():
            if "aidledger" not in line:
                continue
            lexer = shlex.shlex(without_comment(line), posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            lexer.commenters = ""
            words = list(lexer)
            for start, word in enumerate(words):
                if word != "aidledger" and not word.endswith("/bin/aidledger"):
                    continue
                ends = [i for i in range(start + 1, len(words)) if words[i] in SEPARATORS]
                end = ends[0] if ends else len(words)
                found.append(Quoted(f"{name}: {line.strip()}", tuple(words[start + 1 : end])))
    return found


def takes_arguments(command: Any) -> bool:
    """Whether a command takes positional arguments."""
    return any(p.param_type_name == "argument" for p in command.params)


def resolve(words: tuple[str, ...]) -> tuple[Any, list[str], str]:
    """The command `words` name, its path, and what is wrong with them ('' when nothing).

    The words before the first option are a command path, then (for a command that takes
    arguments) its arguments. Groups are whatever has `.commands` (Typer's own click)."""
    command: Any = typer.main.get_command(app)
    path: list[str] = []
    options = [i for i, word in enumerate(words) if word.startswith("-")]
    leading = words[: options[0] if options else len(words)]
    for index, word in enumerate(leading):
        subcommands: dict[str, Any] | None = getattr(command, "commands", None)
        if subcommands is not None:
            if word in subcommands:
                command, path = subcommands[word], [*path, word]
                continue
            if not command.invoke_without_command:
                known = ", ".join(sorted(subcommands))
                named = " ".join(["aidledger", *path])
                return command, path, f"`{named}` has no command {word!r} (it has {known})"
        if not takes_arguments(command):
            extra = " ".join(leading[index:])
            named = " ".join(["aidledger", *path])
            return command, path, f"`{named}` takes no argument, got {extra!r}"
        break
    if hasattr(command, "commands") and not command.invoke_without_command:
        return command, path, f"`{' '.join(['aidledger', *path])}` needs a command"
    return command, path, ""


def problems(quoted: Quoted) -> list[str]:
    """What is wrong with one quoted command (nothing when it names a real command path and
    only that command's options)."""
    command, path, wrong = resolve(quoted.words)
    if wrong:
        return [f"{quoted.where}: {wrong}"]
    known = {"--help"} | {o for p in command.params for o in [*p.opts, *p.secondary_opts]}
    used = {word.split("=", 1)[0] for word in quoted.words if word.startswith("--")}
    named = " ".join(["aidledger", *path])
    return [f"{quoted.where}: `{named}` has no option {o}" for o in sorted(used - known)]


def image_links(text: str) -> list[str]:
    """The targets of every image in a Markdown text (Markdown and HTML syntax)."""
    return MARKDOWN_IMAGE.findall(text) + HTML_IMAGE.findall(text)


def missing_images(text: str, directory: Path) -> list[str]:
    """Image links of a Markdown text in `directory` that point to no file (web addresses are
    not followed; `/path` is from the repository's root)."""
    missing: list[str] = []
    for target in image_links(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue
        local = target.split("#", 1)[0].split("?", 1)[0]
        base = ROOT if local.startswith("/") else directory
        if not (base / local.lstrip("/")).is_file():
            missing.append(target)
    return missing


def test_a_guide_per_role_and_the_readme_links_each() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for role in ROLES:
        assert (GUIDES / f"{role}.md").is_file(), role
        assert f"(docs/guides/{role}.md)" in readme, role


@pytest.mark.parametrize("name", sorted({*ROLES, *(p.stem for p in GUIDES.glob("*.md"))}))
def test_every_command_quoted_in_a_guide_exists(name: str) -> None:
    path = GUIDES / f"{name}.md"
    quoted = quoted_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert quoted, f"{path.name} quotes no aidledger command"
    found = [problem for line in quoted for problem in problems(line)]
    assert found == [], "\n".join(found)


def test_the_check_finds_wrong_commands_and_options() -> None:
    text = (
        "Run `aidledger nothing` (not in a code block: not read).\n\n"
        "```sh\n"
        "aidledger gift add --amount 1 --currency CNY --ref r1 --as 'Li Na'  # right\n"
        "export AIDLEDGER_STAFF=x && aidledger gift remove --ref r1\n"
        "$ .venv/bin/aidledger ship receive S-40 --line 0:1 --colour=red\n"
        "aidledger status extra | head\n"
        "aidledger staff\n"
        "aidledger report --from 2026-01-01 --to 2026-01-31 --out jan.csv\n"
        "aidledger report verify jan.csv --rpc \\\n"
        "    http://127.0.0.1:8545 --json\n"
        "aidledger trace 1PG1-FZM7 # the donor's code, not --an-option\n"
        "cd /srv/aidledger && aidledger status --json\n"
        "```\n\n"
        "- a list item:\n\n"
        "  ```\n"
        "  aidledger index --follow --colour\n"
        "  ```\n\n"
        "```ini\n"
        "ExecStart=/srv/aidledger/.venv/bin/aidledger nonsense --nowhere\n"
        "```\n"
    )
    quoted = quoted_in(text, "guide.md")
    assert [q.words[:2] for q in quoted] == [
        ("gift", "add"), ("gift", "remove"), ("ship", "receive"), ("status", "extra"),
        ("staff",), ("report", "--from"), ("report", "verify"), ("trace", "1PG1-FZM7"),
        ("status", "--json"), ("index", "--follow"),
    ]  # fmt: skip
    found = [problem for line in quoted for problem in problems(line)]
    assert len(found) == 5, found
    assert "`aidledger gift` has no command 'remove'" in found[0]
    assert "`aidledger ship receive` has no option --colour" in found[1]
    assert "`aidledger status` takes no argument, got 'extra'" in found[2]
    assert "`aidledger staff` needs a command" in found[3]
    assert "`aidledger index` has no option --colour" in found[4]
    assert without_comment("a 'x # y' b#c # d") == "a 'x # y' b#c "


def test_every_image_in_the_docs_exists() -> None:
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    missing = [
        f"{path.relative_to(ROOT)}: {target}"
        for path in documents
        for target in missing_images(path.read_text(encoding="utf-8"), path.parent)
    ]
    assert missing == [], "\n".join(missing)
    readme = image_links((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "docs/screenshots/overview.png" in readme and "docs/screenshots/trace.png" in readme


def test_the_image_check_finds_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "here.png").write_bytes(b"\x89PNG")
    text = (
        '![a](shots/here.png) ![b](shots/gone.png "title") <img alt="c" src="x/y.png">\n'
        "![web](https://example.org/z.png) [not an image](nowhere.md)"
    )
    assert image_links(text) == [
        "shots/here.png", "shots/gone.png", "https://example.org/z.png", "x/y.png",
    ]  # fmt: skip
    assert missing_images(text, tmp_path) == ["shots/gone.png", "x/y.png"]
