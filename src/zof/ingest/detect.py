"""Recognition of upload formats from their first bytes or their root element."""

from __future__ import annotations

import re

GZIP_MAGIC = b"\x1f\x8b"

# Root elements of test and analysis reports that are not JUnit XML, with the name a user
# knows the format by. Keys are local names, so namespaced roots such as TRX's match too.
FOREIGN_ROOTS = {
    "test-run": "NUnit 3",
    "test-results": "NUnit 2",
    "TestRun": "Visual Studio TRX",
    "assemblies": "xUnit.net v2",
    "assembly": "xUnit.net v2",
    "testng-results": "TestNG",
    "testExecutions": "SonarQube generic test execution",
    "checkstyle": "Checkstyle (a lint report, not test results)",
    "coverage": "Cobertura coverage (not test results)",
    "report": "JaCoCo coverage (not test results)",
}

_ROOT_TAG = re.compile(rb"<([A-Za-z_][A-Za-z0-9_.:-]*)")
_PROLOG_ITEM = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->)", re.DOTALL)

_ROOT_FORMATS = {
    "testsuites": "junit",
    "testsuite": "junit",
    "test-run": "nunit3",
    "TestRun": "trx",
    "assemblies": "xunit2",
    "testng-results": "testng",
}


def detect_format(first_bytes: bytes) -> str:
    """Guess the format of an upload from its first bytes (a few KiB are plenty).

    Returns one of "gzip", "json", "junit", "nunit3", "trx", "xunit2", "testng", "xml" (some
    other XML), "empty" or "text". This is a hint for callers; `UploadParser` reads the
    whole document and decides for itself.
    """
    if first_bytes.startswith(GZIP_MAGIC):
        return "gzip"
    data = first_bytes.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not data:
        return "empty"
    if data[:1] in (b"{", b"["):
        return "json"
    if data[:1] != b"<":
        return "text"

    position = 0
    while match := _PROLOG_ITEM.match(data, position):
        position = match.end()
    root = _ROOT_TAG.match(data.lstrip(), 0) if position == 0 else _ROOT_TAG.search(data, position)
    if root is None:
        return "xml"
    local_name = root.group(1).decode("ascii").rpartition(":")[2]
    return _ROOT_FORMATS.get(local_name, "xml")
