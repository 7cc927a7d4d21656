"""JUnit XML dialects and oddities, each with a small inline document."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ingest_helpers import parse, suite

# Statuses


def test_case_without_result_element_passed() -> None:
    case = parse(suite('<testcase classname="c" name="ok" time="0.25"/>')).case("ok")

    assert case.status == "passed"
    assert case.suite == "s"
    assert case.classname == "c"
    assert case.duration_ms == 250
    assert case.message is None
    assert case.output is None
    assert case.flaky is False
    assert case.attempts == 1
    assert case.source_line == 4


@pytest.mark.parametrize(
    ("element", "status", "message", "failure_type", "output"),
    [
        (
            '<failure message="boom" type="AssertionError">trace</failure>',
            "failed",
            "boom",
            "AssertionError",
            "trace",
        ),
        ("<failure/>", "failed", None, None, None),
        (
            "<failure>first line\nsecond line</failure>",
            "failed",
            "first line",
            None,
            "first line\nsecond line",
        ),
        ('<error message="crash" type="OSError"/>', "error", "crash", "OSError", None),
        (
            "<error>\n\n  Traceback here\n</error>",
            "error",
            "Traceback here",
            None,
            "Traceback here",
        ),
        ("<skipped/>", "skipped", None, None, None),
        ('<skipped message="not on linux"/>', "skipped", "not on linux", None, None),
        ("<skipped>reason in text</skipped>", "skipped", "reason in text", None, "reason in text"),
        ('<failure message=""/>', "failed", None, None, None),
    ],
)
def test_result_elements(
    element: str, status: str, message: str | None, failure_type: str | None, output: str | None
) -> None:
    case = parse(suite(f'<testcase classname="c" name="t">{element}</testcase>')).case("t")

    assert case.status == status
    assert case.message == message
    assert case.failure_type == failure_type
    assert case.output == output


def test_error_beats_failure_beats_skipped() -> None:
    result = parse(
        suite(
            '<testcase classname="c" name="a"><skipped/><failure message="f"/></testcase>',
            '<testcase classname="c" name="b"><failure message="f"/><error '
            'message="e"/></testcase>',
        )
    )

    assert result.case("a").status == "failed"
    assert result.case("b").status == "error"
    assert result.case("b").message == "e"


def test_output_joins_detail_and_streams() -> None:
    case = parse(
        suite(
            '<testcase classname="c" name="t"><failure message="m">detail</failure>'
            "<system-out>out</system-out><system-err><![CDATA[err <raw>]]></system-err></testcase>"
        )
    ).case("t")

    assert case.output == "detail\n\nout\n\nerr <raw>"


def test_output_is_truncated_with_warning() -> None:
    result = parse(
        suite(f'<testcase classname="c" name="t"><system-out>{"x" * 500}</system-out></testcase>'),
        max_output_chars=100,
    )

    assert result.case("t").output == "x" * 100
    assert result.codes() == ["output_truncated"]
    assert result.warnings[0].line == 4


def test_huge_cdata_output_is_truncated() -> None:
    big = "y" * (5 * 1024 * 1024)
    document = suite(
        f'<testcase classname="c" name="t"><system-out><![CDATA[{big}]]></system-out></testcase>'
    )

    case = parse(document, chunk_size=65536).case("t")

    assert case.output is not None
    assert len(case.output) == 65536


# pytest


def test_pytest_xfail_is_skipped_and_xpass_passed() -> None:
    result = parse(
        suite(
            '<testcase classname="m" name="xf"><skipped type="pytest.xfail" message="bug '
            '1"/></testcase>',
            '<testcase classname="m" name="xp"><skipped type="pytest.xpass" '
            'message="ok"/></testcase>',
            '<testcase classname="m" name="sk"><skipped type="pytest.skip" message="no '
            'db">f.py:3: no db</skipped></testcase>',
            attributes='name="pytest" tests="3"',
        )
    )

    assert result.dialect == "junit/pytest"
    assert result.case("xf").status == "skipped"
    assert result.case("xf").message == "bug 1"
    assert result.case("xp").status == "passed"
    assert result.case("sk").status == "skipped"
    assert result.case("sk").output == "f.py:3: no db"


def test_pytest_xunit1_root_testsuite() -> None:
    document = (
        '<?xml version="1.0" encoding="utf-8"?><testsuite name="pytest" errors="0" failures="1" '
        'skipped="0" tests="2" time="0.1"><testcase classname="t.test_a" file="t/test_a.py" '
        'line="3" name="test_one" time="0.001"/><testcase classname="t.test_a" '
        'file="t/test_a.py" line="7" name="test_two" time="0.002"><failure message="assert 1 == 2">'
        "t/test_a.py:8: AssertionError</failure></testcase></testsuite>"
    )

    result = parse(document)

    assert result.dialect == "junit/pytest"
    assert result.codes() == []
    two = result.case("test_two")
    assert two.file == "t/test_a.py"
    assert two.line == 7
    assert two.status == "failed"


# Surefire reruns


def test_surefire_flaky_failure_passed_on_rerun() -> None:
    document = suite(
        '<testcase name="t" classname="C" time="0.5">'
        '<flakyFailure message="first" type="java.lang.AssertionError">'
        "<stackTrace>at C.t(C.java:10)</stackTrace><system-out>try 1</system-out></flakyFailure>"
        '<flakyError message="second" '
        'type="java.io.IOException"><stackTrace>io</stackTrace></flakyError>'
        "</testcase>"
    )

    result = parse(document)

    case = result.case("t")
    assert result.dialect == "junit/surefire"
    assert case.status == "passed"
    assert case.flaky is True
    assert case.attempts == 3
    assert case.message == "first"
    assert case.failure_type == "java.lang.AssertionError"


def test_surefire_rerun_failure_failed_every_time() -> None:
    document = suite(
        '<testcase name="t" classname="C"><failure message="last" type="E">x</failure>'
        '<rerunFailure message="r1" type="E"/><rerunFailure message="r2" type="E"/></testcase>',
        '<testcase name="u" classname="C"><error message="boom" type="E"/>'
        '<rerunError message="r1" type="E"/></testcase>',
    )

    result = parse(document)

    assert result.case("t").status == "failed"
    assert result.case("t").flaky is False
    assert result.case("t").attempts == 3
    assert result.case("t").message == "last"
    assert result.case("u").status == "error"
    assert result.case("u").attempts == 2


def test_surefire_schema_location_sets_dialect() -> None:
    document = (
        '<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/'
        'xsd/surefire-test-report-3.0.xsd" version="3.0" name="a.BTest" tests="1">'
        '<testcase name="t" classname="a.BTest" time="1,234.5"/></testsuite>'
    )

    result = parse(document)

    assert result.dialect == "junit/surefire"
    assert result.case("t").duration_ms == 1234500


# Retries written as repeated cases


def test_repeated_case_after_failure_is_merged() -> None:
    result = parse(
        suite(
            '<testcase classname="c" name="t" time="1"><failure message="flake"/></testcase>',
            '<testcase classname="c" name="other"/>',
            '<testcase classname="c" name="t" time="2"/>',
        )
    )

    case = result.case("t")
    assert result.case_count == 2
    assert case.status == "passed"
    assert case.flaky is True
    assert case.attempts == 2
    assert case.message == "flake"
    assert case.duration_ms == 2000
    assert case.source_line == 4
    assert result.codes() == ["retries_merged"]
    assert result.warnings[0].line == 6


def test_repeated_case_failing_twice_is_not_flaky() -> None:
    result = parse(
        suite(
            '<testcase classname="c" name="t"><failure message="one"/></testcase>',
            '<testcase classname="c" name="t"><error message="two"/></testcase>',
        )
    )

    case = result.case("t")
    assert case.status == "error"
    assert case.flaky is False
    assert case.attempts == 2
    assert case.message == "two"


def test_repeated_passed_cases_stay_separate() -> None:
    result = parse(
        suite(
            '<testcase classname="c" name="each"/>',
            '<testcase classname="c" name="each"/>',
            '<testcase classname="c" name="each"><skipped/></testcase>',
        )
    )

    assert result.case_count == 3
    assert [case.status for case in result.cases] == ["passed", "passed", "skipped"]
    assert "retries_merged" not in result.codes()


def test_same_name_in_other_suite_is_not_merged() -> None:
    document = (
        '<testsuites><testsuite name="a"><testcase classname="c" name="t"><failure/></testcase>'
        '</testsuite><testsuite name="b"><testcase classname="c" '
        'name="t"/></testsuite></testsuites>'
    )

    result = parse(document)

    assert [(case.suite, case.status) for case in result.cases] == [
        ("a", "failed"),
        ("b", "passed"),
    ]


# Names


def test_missing_name_is_invented_with_warning() -> None:
    result = parse(suite('<testcase classname="c"/>', '<testcase classname="c" name=""/>'))

    assert [case.name for case in result.cases] == ["(unnamed case 1)", "(unnamed case 2)"]
    assert result.codes() == ["name_missing", "name_missing"]
    assert [warning.line for warning in result.warnings] == [4, 5]


def test_missing_classname_is_none_with_warning() -> None:
    result = parse(suite('<testcase name="t"/>'))

    assert result.case("t").classname is None
    assert result.codes() == ["name_missing"]


def test_empty_classname_is_none_without_warning() -> None:
    result = parse(suite('<testcase classname="" name="t"/>'))

    assert result.case("t").classname is None
    assert result.codes() == []


def test_xml_special_characters_in_names() -> None:
    case = parse(suite('<testcase classname="a&amp;b" name="&lt;Component /&gt; &quot;x&quot;"/>'))

    assert case.cases[0].name == '<Component /> "x"'
    assert case.cases[0].classname == "a&b"


# Times


@pytest.mark.parametrize(
    ("time", "duration_ms"),
    [
        ("1.5", 1500),
        ("0", 0),
        ("0.0004", 0),
        ("1,234.5", 1234500),
        ("12,345,678", 12345678000),
        ("0,5", 500),
        ("3,25", 3250),
        (" 2 ", 2000),
        ("1e-3", 1),
    ],
)
def test_time_values(time: str, duration_ms: int) -> None:
    result = parse(suite(f'<testcase classname="c" name="t" time="{time}"/>'))

    assert result.case("t").duration_ms == duration_ms
    assert result.codes() == []


@pytest.mark.parametrize("time", ["", "-1", "abc", "nan", "inf", "1.2.3", "1,2,3"])
def test_invalid_time_is_none_with_warning(time: str) -> None:
    result = parse(suite(f'<testcase classname="c" name="t" time="{time}"/>'))

    assert result.case("t").duration_ms is None
    assert result.codes() == ["time_invalid"]
    assert result.warnings[0].line == 4


@pytest.mark.parametrize(
    ("timestamp", "expected", "warned"),
    [
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC), False),
        ("2024-05-01T12:00:00+02:00", datetime(2024, 5, 1, 10, tzinfo=UTC), False),
        ("2021-03-07T10:36:56 UTC", datetime(2021, 3, 7, 10, 36, 56, tzinfo=UTC), False),
        ("2024-05-01T10:00:00.1234567Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC), False),
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC), True),
        ("2024-05-01 10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC), True),
    ],
)
def test_timestamps(timestamp: str, expected: datetime, warned: bool) -> None:
    result = parse(suite(f'<testcase classname="c" name="t" timestamp="{timestamp}"/>'))

    started_at = result.case("t").started_at
    assert started_at == expected
    assert started_at is not None
    assert started_at.tzinfo is not None
    assert ("timestamp_without_zone" in result.codes()) is warned


def test_invalid_timestamp_is_none_with_warning() -> None:
    result = parse(suite('<testcase classname="c" name="t" timestamp="yesterday"/>'))

    assert result.case("t").started_at is None
    assert result.codes() == ["time_invalid"]


def test_suite_timestamp_applies_to_cases() -> None:
    result = parse(
        suite(
            '<testcase classname="c" name="t"/>',
            attributes='name="s" timestamp="2024-05-01T10:00:00Z"',
        )
    )

    assert result.case("t").started_at == datetime(2024, 5, 1, 10, tzinfo=UTC)


# Suites


def test_nested_suites_use_innermost_name() -> None:
    document = (
        '<testsuites><testsuite name="outer" file="o.php"><testsuite name="inner" file="i.php">'
        '<testcase name="a" classname="C" file="i.php" line="12"/></testsuite>'
        '<testcase name="b" classname="C"/></testsuite>'
        '<testsuites name="again"><testsuite name="deep"><testcase name="c" classname="C"/>'
        "</testsuite></testsuites></testsuites>"
    )

    result = parse(document)

    assert result.case("a").suite == "inner"
    assert result.case("a").file == "i.php"
    assert result.case("a").line == 12
    assert result.case("b").suite == "outer"
    assert result.case("b").file == "o.php"
    assert result.case("c").suite == "deep"


def test_root_testsuite_and_properties() -> None:
    document = (
        '<testsuite name="only"><properties><property name="k" value="v"/></properties>'
        '<testcase name="a" classname="C"><properties><property name="p" value="1"/></properties>'
        "</testcase><system-out>suite output</system-out></testsuite>"
    )

    result = parse(document)

    assert result.case("a").suite == "only"
    assert result.case("a").output is None
    assert result.codes() == []


def test_counts_disagree_cases_win() -> None:
    result = parse(
        suite(
            '<testcase classname="c" name="a"/>',
            '<testcase classname="c" name="b"><failure/></testcase>',
            attributes='name="s" tests="5" failures="1" errors="2"',
        )
    )

    assert result.case_count == 2
    assert result.codes() == ["counts_disagree"]
    warning = result.warnings[0]
    assert warning.line == 3
    assert "tests=5 but 2" in warning.message
    assert "errors=2 but 0" in warning.message


def test_unknown_elements_are_ignored_with_warning() -> None:
    result = parse(
        suite(
            '<testcase classname="c" name="a"><attachment path="x.png"/></testcase>',
            "<extra/>",
        )
    )

    assert result.case("a").status == "passed"
    assert result.codes() == ["element_ignored", "element_ignored"]
    assert [warning.line for warning in result.warnings] == [4, 5]


def test_empty_testsuites_has_zero_cases() -> None:
    result = parse("<testsuites/>")

    assert result.cases == []
    assert result.dialect == "junit/generic"


def test_empty_file_has_zero_cases() -> None:
    for document in (b"", b"   \n", b"\xef\xbb\xbf", b'<?xml version="1.0"?>\n'):
        result = parse(document)

        assert result.cases == []
        assert result.dialect == "empty"


def test_namespaced_junit_is_read() -> None:
    result = parse(
        '<testsuites xmlns="urn:x"><testsuite name="s"><testcase '
        'name="t"/></testsuite></testsuites>'
    )

    assert result.case("t").suite == "s"


def test_status_notrun_is_skipped() -> None:
    result = parse(
        '<testsuites name="AllTests"><testsuite name="S" tests="2" disabled="1">'
        '<testcase name="a" status="run" result="completed" classname="S"/>'
        '<testcase name="DISABLED_b" status="notrun" result="suppressed" classname="S"/>'
        "</testsuite></testsuites>"
    )

    assert result.dialect == "junit/googletest"
    assert result.case("a").status == "passed"
    assert result.case("DISABLED_b").status == "skipped"


def test_invalid_line_attribute_is_none_with_warning() -> None:
    result = parse(suite('<testcase classname="c" name="t" line="-4"/>'))

    assert result.case("t").line is None
    assert result.codes() == ["line_invalid"]


def test_warnings_of_one_code_are_capped() -> None:
    cases = [f'<testcase classname="c" name="t{n}" time="bad"/>' for n in range(100)]

    result = parse(suite(*cases))

    assert result.codes().count("time_invalid") == 21
    assert "80 more warnings" in result.warnings[-1].message


# Dialects


@pytest.mark.parametrize(
    ("document", "dialect"),
    [
        (
            '<testsuites name="jest tests"><testsuite name="a.test.js"><testcase '
            'classname="d \u203a e" name="t"/></testsuite></testsuites>',
            "junit/jest",
        ),
        (
            '<testsuites name="Mocha Tests"><testsuite name="Root Suite"><testcase '
            'classname="x" name="t"/></testsuite></testsuites>',
            "junit/mocha",
        ),
        (
            '<testsuites name="Mocha Tests"><testsuite name="Root Suite" '
            'file="cypress/e2e/login.cy.js"><testcase name="t" '
            'classname="t"/></testsuite></testsuites>',
            "junit/cypress",
        ),
        (
            '<testsuites id="" name=""><testsuite name="a.spec.ts" '
            'hostname="chromium"><testcase name="t" '
            'classname="a.spec.ts"/></testsuite></testsuites>',
            "junit/playwright",
        ),
        (
            '<testsuites><testsuite name="pkg/a" tests="1"><properties><property '
            'name="go.version" value="go1.22.1"/></properties><testcase classname="pkg/a" '
            'name="TestA"/></testsuite></testsuites>',
            "junit/gotestsum",
        ),
        (
            '<testsuites><testsuite name="pkg/a" id="0" tests="1"><properties><property '
            'name="go.version" value="go1.22.1"/></properties><testcase classname="a" '
            'name="TestA"/></testsuite></testsuites>',
            "junit/go-junit-report",
        ),
        (
            '<testsuites><testsuite name="T" file="/r/tests/T.php"><testcase name="testA" '
            'class="T" classname="T" file="/r/tests/T.php" '
            'line="9"/></testsuite></testsuites>',
            "junit/phpunit",
        ),
        (
            '<testsuites><testsuite name="//pkg:test"><testcase name="//pkg:test" '
            'status="run"/></testsuite></testsuites>',
            "junit/bazel",
        ),
        (
            '<testsuite name="Linux-c++" tests="1" disabled="0"><testcase name="t1" '
            'classname="t1" status="run"/></testsuite>',
            "junit/ctest",
        ),
        (
            '<testsuite errors="0" failures="0" hostname="h" id="0" name="ATest" '
            'package="org.a" tests="1"><testcase classname="org.a.ATest" '
            'name="t"/></testsuite>',
            "junit/ant",
        ),
        (
            '<testsuite name="ExampleSpec" tests="1" hostname="h"><testcase '
            'classname="ExampleSpec" name="works"/></testsuite>',
            "junit/generic",
        ),
    ],
)
def test_dialect_traits(document: str, dialect: str) -> None:
    result = parse(document)

    assert result.dialect == dialect
    assert result.case_count == 1


# Streaming


def test_byte_at_a_time_matches_whole_document() -> None:
    document = suite(
        '<testcase classname="c" name="\u00e9t\u00e9 \U0001f600" time="0,5"><failure '
        'message="m">d\x01</failure></testcase>',
        '<testcase classname="c" name="t2"><skipped/></testcase>',
        '<testcase classname="c" name="t3"><failure/></testcase>',
        '<testcase classname="c" name="t3"/>',
        attributes='name="s" tests="9"',
    )

    whole = parse(document)
    byte_by_byte = parse(document, chunk_size=1)

    assert byte_by_byte.cases == whole.cases
    assert byte_by_byte.warnings == whole.warnings
    assert whole.case_count == 3


def test_cases_are_returned_before_close() -> None:
    from zof.ingest import UploadParser

    parser = UploadParser(content_type="application/xml", filename="r.xml")
    first = parser.feed(b'<testsuites><testsuite name="a"><testcase name="t"/></testsuite>')
    rest = parser.feed(b'<testsuite name="b"><testcase name="u"/></testsuite></testsuites>')

    assert [case.name for case in first] == ["t"]
    assert [case.name for case in rest] == ["u"]
    assert parser.close() == []
    assert parser.case_count == 2
