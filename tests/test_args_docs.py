"""Python users read the resource's fields in help() and their IDE: every field is documented
in EmailAccountArgs' docstring, and the signature shows the defaults the provider applies."""

from __future__ import annotations

import dataclasses
import pydoc
import re

from lemlist_resource import EmailAccountArgs
from lemlist_resource.email_account.schema import DEFAULTS, FIELDS


def documented() -> dict[str, str]:
    """Field name -> its text in the docstring's ``Attributes:`` section."""
    doc = EmailAccountArgs.__doc__ or ""
    section = doc.split("Attributes:", 1)[1]
    entries = re.split(r"\n {8}(?=\w+: )", "\n" + section)
    return {
        entry.split(":", 1)[0].strip(): " ".join(entry.split(":", 1)[1].split())
        for entry in entries
        if ":" in entry and entry.strip()
    }


def test_help_documents_every_field() -> None:
    assert sorted(documented()) == sorted(f.name for f in FIELDS)
    rendered = pydoc.render_doc(EmailAccountArgs, renderer=pydoc.plaintext)
    for f in FIELDS:
        assert f" {f.name}: " in rendered


def test_required_fields_say_so_and_optional_ones_name_their_default() -> None:
    texts = documented()
    for f in FIELDS:
        if f.required:
            assert "Required" in texts[f.name], f.name
        else:
            assert "Default " in texts[f.name], f.name


def test_the_signature_defaults_are_the_providers() -> None:
    defaults = {
        f.name: f.default
        for f in dataclasses.fields(EmailAccountArgs)
        if f.default is not dataclasses.MISSING
    }
    assert {f.name for f in FIELDS if not f.required} == set(defaults)
    for name, value in defaults.items():
        assert value == DEFAULTS.get(name), name
        assert f"Default ``{value}``" in documented()[name], name
