"""A file's line endings and BOM survive a merge: read as plain LF text, written back as it was."""

from __future__ import annotations

import pytest

from python_package_template.text_form import BOM, TextForm, has_conflict_markers


@pytest.mark.parametrize(
    ("data", "form"),
    [
        (b"a\nb\n", TextForm()),
        (b"a\r\nb\r\n", TextForm(crlf=True)),
        (BOM + b"a\r\nb\r\n", TextForm(bom=True, crlf=True)),
        (BOM + b"a\nb\n", TextForm(bom=True)),
        (b"a\r\nb\n", TextForm()),  # mixed: left as it is
        (b"", TextForm()),
    ],
)
def test_a_file_read_plain_and_written_back_is_byte_for_byte_what_it_was(data, form):
    assert TextForm.of(data) == form
    plain = form.strip(data)
    assert b"\r\n" not in plain or not form.crlf
    assert not plain.startswith(BOM)
    assert form.apply(plain) == data
    assert form.apply(form.apply(plain)) == data  # applying twice changes nothing more


def test_lines_a_merge_adds_take_the_files_line_endings():
    form = TextForm.of(b"# Title\r\n")
    assert form.apply(b"# Title\n\n## New section\n") == b"# Title\r\n\r\n## New section\r\n"


def test_conflict_markers_are_found_with_either_line_ending():
    for newline in ("\n", "\r\n"):
        assert has_conflict_markers(newline.join(["<<<<<<<", "a", "=======", "b", ">>>>>>> theirs", ""]))
    assert not has_conflict_markers("a <<<<<<< b\n=======\n")
