"""Every real result file from public projects ingests with the expected counts, or is rejected.

The expected counts come from reading each file: one result per <testcase>, passed unless it
holds <failure>, <error> or <skipped>. Where a file repeats a case after a failed or skipped
report, the retry merge rule (see zof.ingest.retries) is applied by hand and noted.
"""

from __future__ import annotations

import pytest
from ingest_helpers import REAL_INPUTS, parse, rejection

NOT_INPUTS = {"COMMIT", "LICENSE"}
DORNY = "dorny-test-reporter"

# path: (passed, failed, error, skipped, flaky)
EXPECTED_COUNTS = {
    "empty/java-junit.xml": (0, 0, 0, 0, 0),
    "empty/jest-junit-empty-testsuite.xml": (0, 0, 0, 0, 0),
    "empty/jest-junit.xml": (0, 0, 0, 0, 0),
    "empty/phpunit-empty.xml": (0, 0, 0, 0, 0),
    "jest-junit-eslint.xml": (1, 0, 0, 0, 0),
    "external/jest/jest-react-component-test-results.xml": (1, 0, 0, 0, 0),
    "junit-with-message.xml": (0, 1, 0, 0, 0),
    # test_always_skip has no <skipped> element, so it passed as far as the file says.
    "swift-xunit.xml": (2, 1, 0, 0, 0),
    "external/java/empty_failures.xml": (2, 1, 0, 0, 0),
    "test-errors/jest/jest-test-results.xml": (0, 0, 2, 0, 0),
    "phpunit/phpunit-paths.xml": (0, 6, 0, 0, 0),
    "phpunit/phpunit.xml": (10, 2, 0, 0, 0),
    "nette-tester/BootstrapFormRenderer-report.xml": (4, 0, 0, 0, 0),
    "nette-tester/tester-v1.7-report.xml": (61, 1, 0, 3, 0),
    "external/phpunit/junit-basic.xml": (8, 1, 0, 0, 0),
    "external/phpunit/phpcheckstyle-phpunit.xml": (28, 2, 0, 0, 0),
    # Three of the nine cases sit in a commented-out nested suite.
    "external/java/junit4-basic.xml": (5, 1, 0, 0, 0),
    "external/java/junit4-complete.xml": (5, 1, 1, 1, 0),
    # pytest: test_error is written as a <failure>, and the xfail is a <skipped>.
    "python-xunit-pytest.xml": (6, 2, 0, 2, 0),
    "python-xunit-unittest.xml": (4, 1, 1, 2, 0),
    "jest-junit.xml": (1, 4, 0, 1, 0),
    # 4239 cases; 31 names repeat, but every repeat follows a passed report, so none merge.
    "external/jest/jest-test-results.xml": (4207, 2, 0, 30, 0),
    # testVersionStrings is reported skipped, then failed: one failed result, 2 attempts.
    "external/java/TEST-org.apache.pulsar.AddMissingPatchVersionTest.xml": (0, 1, 0, 0, 0),
    # 808 cases (793 passed, 1 failed, 14 skipped). Three repeats follow a skipped report
    # with another status and merge: testVersionStrings (skipped, failed),
    # txnAckTestNoBatchAndSharedSubMemoryDeleteTest (skipped, passed) and the first two
    # reports of shouldCallSetupBeforeRetrying (skipped, passed). That leaves 11 skipped.
    "external/java/pulsar-test-report.xml": (793, 1, 0, 11, 0),
}

EXPECTED_REJECTIONS = {
    "dotnet-nunit.xml": "NUnit 3",
    "external/nunit-sample.xml": "NUnit 3",
    "dotnet-trx.trx": "Visual Studio TRX",
    "dotnet-xunitv3.trx": "Visual Studio TRX",
    "empty/dotnet-trx.trx": "Visual Studio TRX",
    "empty/dotnet-trx-empty-test-definitions.trx": "Visual Studio TRX",
    "external/SilentNotes.trx": "Visual Studio TRX",
    "external/FluentValidation.Tests.trx": "Visual Studio TRX",
}


def real_input_paths() -> list[str]:
    root = REAL_INPUTS / DORNY
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and path.name not in NOT_INPUTS
    )


def read(relative: str) -> bytes:
    return (REAL_INPUTS / DORNY / relative).read_bytes()


def test_real_inputs_folder_is_found() -> None:
    assert (REAL_INPUTS / DORNY).is_dir(), f"{REAL_INPUTS} must sit beside the repository"


def test_every_real_input_has_an_expectation() -> None:
    expected = set(EXPECTED_COUNTS) | set(EXPECTED_REJECTIONS)

    assert set(real_input_paths()) == expected


@pytest.mark.parametrize("relative", sorted(EXPECTED_COUNTS))
def test_real_input_counts(relative: str) -> None:
    passed, failed, error, skipped, flaky = EXPECTED_COUNTS[relative]

    result = parse(read(relative), chunk_size=65536)

    assert result.statuses["passed"] == passed
    assert result.statuses["failed"] == failed
    assert result.statuses["error"] == error
    assert result.statuses["skipped"] == skipped
    assert result.case_count == passed + failed + error + skipped
    assert sum(case.flaky for case in result.cases) == flaky


@pytest.mark.parametrize("relative", sorted(EXPECTED_REJECTIONS))
def test_real_input_rejections(relative: str) -> None:
    error = rejection(read(relative), chunk_size=65536)

    assert error.code == "unsupported_format"
    assert EXPECTED_REJECTIONS[relative] in error.message
    assert error.line == 2


@pytest.mark.parametrize(
    ("relative", "dialect"),
    [
        ("python-xunit-pytest.xml", "junit/pytest"),
        ("python-xunit-unittest.xml", "junit/python-unittest"),
        ("jest-junit.xml", "junit/jest"),
        ("external/jest/jest-test-results.xml", "junit/jest"),
        ("phpunit/phpunit.xml", "junit/phpunit"),
        ("external/phpunit/phpcheckstyle-phpunit.xml", "junit/phpunit"),
        ("junit-with-message.xml", "junit/googletest"),
        ("swift-xunit.xml", "junit/generic"),
    ],
)
def test_real_input_dialect(relative: str, dialect: str) -> None:
    assert parse(read(relative)).dialect == dialect


def test_pulsar_retry_is_one_failed_result() -> None:
    result = parse(read("external/java/TEST-org.apache.pulsar.AddMissingPatchVersionTest.xml"))

    (case,) = result.cases
    assert case.name == "testVersionStrings"
    assert case.status == "failed"
    assert case.attempts == 2
    assert case.flaky is False
    assert case.message == "expected [1.2.1] but found [1.2.0]"
    assert case.failure_type == "java.lang.AssertionError"
    assert case.source_line == 4
    assert "retries_merged" in result.codes()


def test_pytest_real_input_fields() -> None:
    result = parse(read("python-xunit-pytest.xml"))

    xfail = result.case("test_expected_failure")
    assert xfail.status == "skipped"
    assert xfail.failure_type == "pytest.xfail"
    failing = result.case("test_always_fail")
    assert failing.message == "assert False"
    assert failing.output is not None
    assert failing.output.startswith("def test_always_fail():")
    assert failing.suite == "pytest"
    assert failing.classname == "tests.test_lib"
    assert "counts_disagree" in result.codes()


def test_unittest_real_input_file_and_line() -> None:
    case = parse(read("python-xunit-unittest.xml")).case("test_error")

    assert case.status == "error"
    assert case.file == "tests/test_lib.py"
    assert case.line == 30
    assert case.started_at is not None
    assert case.started_at.isoformat() == "2025-11-14T21:49:22+00:00"


def test_phpunit_nested_suite_is_innermost() -> None:
    result = parse(read("phpunit/phpunit.xml"))

    case = result.case("testCollectsEventsUntilFlush")
    assert case.suite == "PHPUnit\\Event\\DeferringDispatcherTest"
    assert case.line == 22
    phpt = result.case("targeting-traits-with-usesclass-attribute-is-deprecated.phpt")
    assert phpt.suite == "CLI Arguments"
    assert phpt.classname is None


def test_real_inputs_one_byte_at_a_time_match() -> None:
    for relative in ("python-xunit-pytest.xml", "jest-junit.xml", "phpunit/phpunit.xml"):
        whole = parse(read(relative))
        byte_by_byte = parse(read(relative), chunk_size=1)

        assert byte_by_byte.cases == whole.cases
        assert byte_by_byte.warnings == whole.warnings


def test_testng_timestamp_with_utc_word() -> None:
    result = parse(read("empty/java-junit.xml"))

    assert result.cases == []
    assert "timestamp_without_zone" not in result.codes()
