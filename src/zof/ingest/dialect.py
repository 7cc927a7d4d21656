"""A best guess at which tool wrote a JUnit XML file, from traits of its output.

JUnit XML has no version field, so the dialect is read from habits of each generator. The
first trait seen wins, apart from Surefire's rerun elements, which no other tool writes and
which therefore override an earlier guess. The traits, checked as elements stream by:

=======================  ====================================================================
dialect                  trait
=======================  ====================================================================
junit/surefire           a suite `xsi:noNamespaceSchemaLocation` naming surefire, or any of
                         `flakyFailure`, `flakyError`, `rerunFailure`, `rerunError`
junit/pytest             a suite named "pytest", or a `skipped`/`failure`/`error` type that
                         starts with "pytest."
junit/python-unittest    a suite named like "TestAcme-20251114214921" (unittest-xml-reporting)
junit/jest               a `testsuites` named "jest tests" (jest-junit's default), or a
                         classname using jest-junit's " \u203a " separator
junit/cypress            a suite `file` attribute under a "cypress" folder
junit/mocha              a `testsuites` named "Mocha Tests" (mocha-junit-reporter's default)
junit/playwright         a suite whose `hostname` is chromium, firefox or webkit
junit/go-junit-report    a `go.version` property on a suite with an `id` attribute
junit/gotestsum          a `go.version` property on a suite without an `id` attribute
junit/phpunit            a testcase with a `class` attribute, or a `file` ending in .php/.phpt
junit/bazel              a suite or case name starting with "//" (a Bazel target label)
junit/ctest              a root `testsuite` with cases that carry `status="run"`/`"notrun"`
junit/googletest         a `testsuites` root with cases that carry `status="run"`/`"notrun"`
junit/ant                a suite with both `package` and `id` attributes
junit/generic            none of the above (Gradle, Scalatest and Swift output land here)
=======================  ====================================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping

GENERIC = "junit/generic"

_UNITTEST_SUITE_NAME = re.compile(r".+-[0-9]{14}")
_BROWSERS = frozenset({"chromium", "firefox", "webkit"})
_SUREFIRE_RERUN_TAGS = frozenset({"flakyFailure", "flakyError", "rerunFailure", "rerunError"})
_SCHEMA_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation"


class DialectGuesser:
    """Collect traits of a JUnit document and keep the current best guess."""

    def __init__(self) -> None:
        self.dialect = GENERIC
        self._root_is_testsuites = False

    def _settle(self, dialect: str) -> None:
        if self.dialect == GENERIC:
            self.dialect = dialect

    def observe_root(self, tag: str, attributes: Mapping[str, str]) -> None:
        self._root_is_testsuites = tag == "testsuites"
        name = attributes.get("name", "")
        if tag == "testsuites" and name == "jest tests":
            self._settle("junit/jest")
        elif tag == "testsuites" and name == "Mocha Tests":
            self._settle("junit/mocha")

    def observe_suite(self, attributes: Mapping[str, str]) -> None:
        name = attributes.get("name", "")
        file = attributes.get("file", "")
        if "surefire" in attributes.get(_SCHEMA_LOCATION, ""):
            self._settle("junit/surefire")
        elif name == "pytest":
            self._settle("junit/pytest")
        elif _UNITTEST_SUITE_NAME.fullmatch(name):
            self._settle("junit/python-unittest")
        elif "cypress/" in file.replace("\\", "/"):
            # Cypress writes through mocha-junit-reporter, so it refines a mocha guess.
            if self.dialect == "junit/mocha":
                self.dialect = GENERIC
            self._settle("junit/cypress")
        elif attributes.get("hostname", "") in _BROWSERS:
            self._settle("junit/playwright")
        elif name.startswith("//"):
            self._settle("junit/bazel")
        elif file.endswith((".php", ".phpt")):
            self._settle("junit/phpunit")
        elif "package" in attributes and "id" in attributes:
            self._settle("junit/ant")

    def observe_property(self, name: str, suite_attributes: Mapping[str, str]) -> None:
        if name == "go.version":
            if "id" in suite_attributes:
                self._settle("junit/go-junit-report")
            else:
                self._settle("junit/gotestsum")

    def observe_case(self, attributes: Mapping[str, str], result_types: list[str]) -> None:
        classname = attributes.get("classname", "")
        if any(kind.startswith("pytest.") for kind in result_types):
            self._settle("junit/pytest")
        elif " \u203a " in classname:
            self._settle("junit/jest")
        elif "class" in attributes or attributes.get("file", "").endswith((".php", ".phpt")):
            self._settle("junit/phpunit")
        elif attributes.get("name", "").startswith("//"):
            self._settle("junit/bazel")
        elif attributes.get("status") in ("run", "notrun"):
            self._settle("junit/googletest" if self._root_is_testsuites else "junit/ctest")

    def observe_result_element(self, tag: str) -> None:
        if tag in _SUREFIRE_RERUN_TAGS:
            self.dialect = "junit/surefire"
