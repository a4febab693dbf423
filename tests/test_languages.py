"""Tests for converter.languages: normalize() and detect()."""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.languages import detect, normalize

DATA = Path(__file__).parent / "data" / "languages"
SEPARATOR = "----"


def load_snippets() -> list[tuple[str, str, str]]:
    """(id, label, code) for every snippet; the file name is the label, snippets are split by `----` lines.

    `holdout/` holds snippets written after the rules, to measure them on unseen code.
    """
    snippets = []
    for path in sorted(DATA.rglob("*.txt")):
        prefix = "" if path.parent == DATA else f"{path.parent.name}/"
        chunks, current = [], []
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line == SEPARATOR:
                chunks.append(current)
                current = []
            else:
                current.append(line)
        chunks.append(current)
        for number, chunk in enumerate(chunks, 1):
            code = "\n".join(chunk).strip("\n")
            if code:
                snippets.append((f"{prefix}{path.stem}-{number}", path.stem, code))
    return snippets


SNIPPETS = load_snippets()


def test_snippet_set_is_large_enough():
    labels = [label for _, label, _ in SNIPPETS]
    assert len(SNIPPETS) >= 170
    for lang in ("python", "javascript", "typescript", "go", "ruby", "sql", "shell", "html",
                 "http", "json", "toml", "yaml", "ini", "text"):
        assert labels.count(lang) >= 8, lang


@pytest.mark.parametrize("label, code", [(label, code) for _, label, code in SNIPPETS],
                         ids=[name for name, _, _ in SNIPPETS])
def test_detect_snippet(label, code):
    assert detect(code) == label


@pytest.mark.parametrize("label, code", [(label, code) for _, label, code in SNIPPETS],
                         ids=[name for name, _, _ in SNIPPETS])
def test_a_declared_text_block_stays_text(label, code):
    """Plain text or output declared by the author is never relabelled, whatever it looks like."""
    for declared in ("plaintext", "text", "output", "language-text", "lang-plaintext", "highlight-none", "nohighlight"):
        assert detect(code, declared) == "text", declared


@pytest.mark.parametrize("declared, expected", [
    ("python", "python"), ("py", "python"), ("py3", "python"), ("language-python", "python"),
    ("highlight python", "python"), ("sourceCode python", "python"), ("lang-py", "python"),
    ("pycon", "python"), ("{.python}", "python"), ("python title=\"app.py\"", "python"),
    ("language-js", "javascript"), ("js", "javascript"), ("jsx", "javascript"),
    ("brush: js", "javascript"), ("prettyprint lang-js", "javascript"),
    ("ts", "typescript"), ("tsx", "typescript"), ("language-typescript", "typescript"),
    ("golang", "go"), ("go", "go"), ("rb", "ruby"), ("brush: ruby", "ruby"),
    ("mysql", "sql"), ("postgresql", "sql"), ("psql", "sql"), ("plpgsql", "sql"),
    ("sqlite3", "sql"), ("SQL", "sql"),
    ("sh", "shell"), ("bash", "shell"), ("console", "shell"), ("zsh", "shell"),
    ("shell-session", "shell"), ("language-shell", "shell"), ("highlight shell", "shell"),
    ("yml", "yaml"), ("yaml", "yaml"), ("cfg", "ini"), ("conf", "ini"), ("dosini", "ini"),
    ("toml", "toml"), ("json", "json"), ("jsonc", "json"), ("http", "http"),
    ("plaintext", "text"), ("plain", "text"), ("none", "text"), ("txt", "text"),
    ("text", "text"), ("highlight plaintext", "text"),
    ("html", "html"), ("html5", "html"), ("htm", "html"), ("html+jinja", "html"),
    ("xml", "xml"), ("jinja", "jinja"), ("django", "jinja"),
    ("dockerfile", "dockerfile"), ("docker", "dockerfile"), ("diff", "diff"), ("patch", "diff"),
    ("css", "css"), ("scss", "css"), ("java", "java"), ("c", "c"), ("cpp", "cpp"), ("c++", "cpp"),
    ("rust", "rust"), ("rs", "rust"), ("php", "php"), ("kotlin", "kotlin"), ("swift", "swift"),
    ("python:app.py", "python"), ("js:src/index.js", "javascript"), ("python[main.py]", "python"),
    ("", ""), ("highlight", ""), ("hljs", ""), ("no-such-language-xyz", ""), ("code", ""),
])
def test_normalize(declared, expected):
    assert normalize(declared) == expected


@pytest.mark.parametrize("code, declared, expected", [
    # A trustworthy declaration wins, even where content alone would say otherwise.
    ("x = 1", "python", "python"),
    ("x = 1", "ruby", "ruby"),
    ("{\"a\": 1}", "python", "python"),
    ("const x: number = 1;", "javascript", "javascript"),
    ("print('hi')", "language-python", "python"),
    ("val x = listOf(1, 2)", "kotlin", "kotlin"),
    ("Hello", "shell", "shell"),
    ("<div>{{ name }}</div>", "jinja", "jinja"),
    # Declarations that say nothing: content decides.
    ("app/\n├── main.py\n└── models.py", "", "text"),
    ("SELECT 1;", "highlight", "sql"),
    # Declared plain text or output stays text, even when it reads as code or data.
    ("{\"a\": 1, \"b\": [true, null]}", "plaintext", "text"),
    ("pip install flask", "none", "text"),
    ("#!/bin/bash\necho hi", "text", "text"),
    ("$ ls\n$ pwd", "output", "text"),
    ("fn main() {\n    println!(\"impl\");\n}", "output", "text"),
    ("body {\n  color: red;\n}", "text", "text"),
    # Fragments of a declared format are not overridden by what they happen to parse as.
    ('"name": "demo",\n"version": "1.0.0",', "json", "json"),
    ("  ports:\n    - 80", "yaml", "yaml"),
    ("RUN pip install -r requirements.txt", "dockerfile", "dockerfile"),
    ("Host: example.com", "http", "http"),
    # Obviously wrong declarations: strong content that the declared language does not fit.
    ("0 2 * * * /usr/local/bin/backup.sh", "bash", "text"),
    ('{"id": 1, "tags": ["a"]}', "shell", "json"),
    ("app/\n├── main.py\n└── models.py", "shell", "text"),
    ("pip install flask\npip install requests", "python", "shell"),
    ("package main\n\nfunc main() {\n\tfmt.Println(1)\n}", "javascript", "go"),
    ("#!/bin/bash\nset -e\nmake build", "python", "shell"),
    ("$ npm install\n$ npm start", "javascript", "shell"),
    (">>> 1 / 0\nTraceback (most recent call last):\n  File \"<stdin>\", line 1\nZeroDivisionError: division by zero",
     "python", "python"),
    # Certain means certain: strong signals of another language do not override a declaration.
    ("name: str\nage: int", "python", "python"),
    ("x = 1 / 0\nTraceback (most recent call last):\n  File \"app.py\", line 1\nZeroDivisionError: division by zero",
     "python", "python"),
    ("SELECT name FROM users WHERE id = 1", "python", "python"),
    ("div { color: red; }\n.x:hover { margin: 0 }", "html", "html"),
    ("impl Foo for Bar {}\nfn x() {}", "python", "python"),
])
def test_detect_with_declaration(code, declared, expected):
    assert detect(code, declared) == expected


# --- context and indented trees (added with the seed end-to-end check) --------------------

@pytest.mark.parametrize(
    "code",
    [
        "/my_project\n    /app\n        /__init__.py\n        /routes.py\n    /run.py",
        "site/\n  docs/\n    index.md   # home page\n  mkdocs.yml",
    ],
)
def test_indented_path_listing_is_a_tree(code: str) -> None:
    assert detect(code) == "text"


def test_a_list_of_commands_is_not_a_tree() -> None:
    assert detect("mkdir app\ncd app\n  touch run.py") == "shell"


@pytest.mark.parametrize(
    ("code", "context", "expected"),
    [
        ("# Use the blueprint's name\nurl_for('auth.login')", "python", "python"),
        ("article.destroy", "ruby", "ruby"),
        ("ANALYZE TABLE users;\nOPTIMIZE TABLE users;", "sql", "sql"),
        ("# only a comment", "python", "text"),
        ("Total: 3 items", "python", "text"),
        ("url_for('auth.login')", "", "text"),
    ],
)
def test_short_blocks_take_the_tutorials_main_language(code: str, context: str, expected: str) -> None:
    assert detect(code, context=context) == expected


@pytest.mark.parametrize("code", [
    # Java's shapes JavaScript has not: a generic type before a name, try-with-resources, `x -> ...`.
    'try (Stream<String> lines = Files.lines(Paths.get("data.txt"))) {\n'
    '    lines.filter(l -> !l.isBlank()).forEach(System.out::println);\n}',
    "Map<String, List<Integer>> index = new HashMap<>();\nindex.computeIfAbsent(key, k -> new ArrayList<>());",
])
def test_java_without_a_class_around_it(code: str) -> None:
    assert detect(code) == "java"


def test_nbconvert_lexer_class_names_the_language() -> None:
    assert normalize("hl-ipython3") == "python"


def test_jsx_is_javascript_not_html() -> None:
    code = ("function UserCard({ id }) {\n  const { data, loading } = useFetch(`/api/users/${id}`);\n"
            "  if (loading) return <p>Loading…</p>;\n  return <h2>{data.name}</h2>;\n}")
    assert detect(code) == "javascript"


def test_a_short_product_takes_the_tutorials_language() -> None:
    assert detect("prices * tax", context="python") == "python"
    assert detect("Pros * cons", context="") == "text"


def test_undeclared_javascript_in_a_typescript_tutorial_is_typescript() -> None:
    from converter.document import CodeBlock, Document, Meta
    from converter.passes.languages import assign_languages

    doc = Document(Meta(title="T", source="t"), (
        CodeBlock('import { z } from "zod";'),
        CodeBlock("const Env = z.object({ PORT: z.number() });\nexport const env = Env.parse(process.env);"),
        CodeBlock("app.listen(env.PORT);"),
        CodeBlock("app.listen(env.PORT);", declared="js"),
    ))
    # One block only TypeScript has makes the tutorial TypeScript, however many JavaScript-looking blocks.
    assert [b.language for b in assign_languages(doc).code_blocks] == ["typescript"] * 3 + ["javascript"]
