"""The message templates' Jinja environment (app/words/message_environment.py): Jinja's
results with less work per render, and the shared macros imported without context."""

import re

import jinja2
import pytest
from jinja2 import nodes
from markupsafe import Markup

from app.config import PROJECT_ROOT
from app.words.i18n import catalogs
from app.words.message_environment import MessageEnvironment

MESSAGES = PROJECT_ROOT / "messages"


def _environment(tmp_path, *, autoescape=False, auto_reload=False, **templates):
    for name, source in templates.items():
        (tmp_path / name).write_text(source)
    env = MessageEnvironment(
        loader=jinja2.FileSystemLoader(tmp_path),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        auto_reload=auto_reload,
    )
    env.install_translations(lambda s: "»" + s, lambda s, p, n: s if n == 1 else p)
    return env


def test_a_template_shares_the_environment_s_globals(tmp_path):
    env = _environment(tmp_path, **{"a.j2": "{{ greeting }}"})
    env.globals["greeting"] = "hej"
    template = env.get_template("a.j2")
    assert template.globals is env.globals
    assert template.render() == "hej"
    env.globals["greeting"] = "hallå"  # changed later: still seen, as with Jinja's ChainMap
    assert template.render() == "hallå"


def test_globals_of_a_template_s_own_are_refused(tmp_path):
    env = _environment(tmp_path, **{"a.j2": "x"})
    with pytest.raises(ValueError, match="not globals"):
        env.get_template("a.j2", globals={"x": 1})


def test_a_template_is_kept_by_name_and_reloaded_in_debug_when_it_changes(tmp_path):
    env = _environment(tmp_path, **{"a.j2": "one"})
    assert env.get_template("a.j2") is env.get_template("a.j2")
    reloading = _environment(tmp_path, auto_reload=True, **{"b.j2": "one"})
    assert reloading.get_template("b.j2").render() == "one"
    (tmp_path / "b.j2").write_text("two, a longer text")
    assert reloading.get_template("b.j2").render() == "two, a longer text"


def test_a_dict_s_keys_and_methods_read_as_jinja_reads_them(tmp_path):
    env = _environment(
        tmp_path,
        **{
            "a.j2": "{{ d.name }} {{ d.get('name') }} {{ d.items()|list|length }}",
            "b.j2": "{{ d.missing }}",
            "c.j2": "{{ o.name }}",
        },
    )
    facts = {"name": "Sara", "items": "not the method"}
    assert env.get_template("a.j2").render(d=facts) == "Sara Sara 2"  # items: the method
    with pytest.raises(jinja2.UndefinedError, match="missing"):
        env.get_template("b.j2").render(d=facts)

    class Named:
        name = "an attribute"

    assert env.get_template("c.j2").render(o=Named()) == "an attribute"


def test_translations_format_their_values_in_text_and_escape_them_in_html(tmp_path):
    source = (
        "{% trans name=name %}hej {{ name }}{% endtrans %}|"
        "{% trans count=n %}{{ count }} dag{% pluralize %}{{ count }} dagar{% endtrans %}|"
        "{{ _('%(x)s%%', x=name) }}"
    )
    text = _environment(tmp_path, **{"a.j2": source})
    assert text.get_template("a.j2").render(name="<Sara>", n=2) == "»hej <Sara>|2 dagar|»<Sara>%"
    html = _environment(tmp_path, autoescape=True, **{"a.j2": source})
    rendered = html.get_template("a.j2").render(name="<Sara>", n=1)
    assert rendered == Markup("»hej &lt;Sara&gt;|1 dag|»&lt;Sara&gt;%")


def _imports(path):
    return re.findall(r"\{%-?\s*(?:from|import)\b[^%]*%\}", path.read_text())


@pytest.mark.parametrize("path", sorted(MESSAGES.glob("*.j2")), ids=lambda p: p.name)
def test_message_templates_import_without_context(path):
    # Jinja builds a file imported WITH context again on every render.
    assert not [i for i in _imports(path) if "with context" in i]


def test_every_shared_macro_reads_only_its_arguments(app):
    """Imported without context, a macro sees no facts: each one it needs is an argument."""
    env = catalogs().environment("sv")
    reads_facts = {}
    for path in sorted(MESSAGES.glob("_*.j2")):
        tree = env.parse(path.read_text(), path.name)
        known = set(env.globals) | {"caller", "loop"}
        known |= {m.name for m in tree.find_all(nodes.Macro)}
        for imported in tree.find_all(nodes.FromImport):
            known |= {n[1] if isinstance(n, tuple) else n for n in imported.names}
        for macro in tree.find_all(nodes.Macro):
            own = {a.name for a in macro.args}
            for node in macro.find_all((nodes.Assign, nodes.For)):
                own |= {n.name for n in node.target.find_all(nodes.Name)}
                if isinstance(node.target, nodes.Name):
                    own.add(node.target.name)
            read = {n.name for n in macro.find_all(nodes.Name) if n.ctx == "load"}
            if read - own - known:
                reads_facts[f"{path.name}:{macro.name}"] = sorted(read - own - known)
    assert reads_facts == {}
