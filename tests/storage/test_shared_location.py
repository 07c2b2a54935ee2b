"""PostgreSQL URLs of shared models: what libpq gets, what a user sees, what is refused."""

from __future__ import annotations

import pytest

from fma_app.storage.shared import SharedStoreError, is_shared_location, parse_location


@pytest.mark.parametrize(
    ("text", "shared"),
    [
        ("postgresql://db/fma?model=shop", True),
        ("postgresql+psycopg://db/fma", True),
        ("POSTGRESQL://db/fma", True),
        ("shop.fma", False),
        ("/tmp/postgresql://x", False),
        ("mysql://db/fma", False),
    ],
)
def test_is_shared_location(text: str, shared: bool) -> None:
    assert is_shared_location(text) is shared


def test_model_is_taken_out_and_other_parameters_pass_to_libpq() -> None:
    location = parse_location(
        "postgresql://alice@db.example.com:6543/fma?sslmode=require&model=shop&connect_timeout=5"
    )
    assert location.model_key == "shop"
    assert location.database == "fma"
    assert location.user == "alice"
    assert location.conninfo() == (
        "postgresql://alice@db.example.com:6543/fma?sslmode=require&connect_timeout=5"
    )
    assert location.display == (
        "postgresql://alice@db.example.com:6543/fma?sslmode=require&connect_timeout=5&model=shop"
    )
    assert location.server == "db.example.com:6543/fma"


def test_password_is_never_displayed_but_reaches_libpq() -> None:
    location = parse_location("postgresql+psycopg://bob:p%40ss:w@db/fma?model=shop")
    assert location.password == "p@ss:w"
    assert "p%40ss" not in location.display
    assert "p@ss" not in location.display
    assert location.display == "postgresql://bob@db/fma?model=shop"
    assert location.conninfo() == "postgresql://bob:p%40ss:w@db/fma"
    assert location.database_display == "postgresql://bob@db/fma"


def test_password_given_apart_replaces_the_written_one_and_is_encoded() -> None:
    location = parse_location("postgresql://bob@db:5432/fma?password=old&sslmode=verify-full")
    assert "old" not in location.display
    assert location.conninfo(password="n&w/pw") == (
        "postgresql://bob:n%26w%2Fpw@db:5432/fma?sslmode=verify-full"
    )


def test_with_model_keeps_the_rest() -> None:
    location = parse_location("postgresql://db/fma?sslmode=disable")
    assert location.model_key is None
    assert location.with_model("pay-2").display == "postgresql://db/fma?sslmode=disable&model=pay-2"


def test_unix_socket_and_multiple_hosts_are_kept_as_written() -> None:
    assert parse_location("postgresql:///fma?model=m").conninfo() == "postgresql:///fma"
    for fine in ("postgresql://[::1]:5432/fma", "postgresql://db:/fma", "postgresql://db:65535/f"):
        assert parse_location(fine).conninfo() == fine
    many = parse_location("postgresql://a:5432,b:5433/fma?target_session_attrs=read-write")
    assert many.conninfo() == "postgresql://a:5432,b:5433/fma?target_session_attrs=read-write"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("shop.fma", "is not a PostgreSQL URL"),
        ("postgresql://db", "names no database"),
        ("postgresql://db/", "names no database"),
        ("postgresql://db/fma/extra", "has a path after the database name 'fma'"),
        ("postgresql://db/fma?model=Shop", "the model key 'Shop' is not a slug"),
        ("postgresql://db/fma?model=", "the model key '' is not a slug"),
        ("postgresql://db/fma?model=a&model=b", "names more than one model"),
        ("postgresql://db/fma?model=a&x", "has a malformed query"),
        ("postgresql://db/f ma", "holds spaces or control characters"),
        ("postgresql://db:99999/fma?model=m", "has the port '99999': a port is a number from 1"),
        ("postgresql://db:0/fma", "has the port '0'"),
        ("postgresql://db:54x2/fma", "has the port '54x2'"),
        ("postgresql://a:5432,b:-1/fma", "has the port '-1'"),
        ("postgresql://[::1]:70000/fma", "has the port '70000'"),
        ("postgresql://db/fma?port=5432,65536", "has the port '65536'"),
    ],
)
def test_bad_urls_are_refused_naming_the_problem(text: str, problem: str) -> None:
    with pytest.raises(SharedStoreError, match=problem) as caught:
        parse_location(text)
    assert caught.value.reason == "bad-url"


def test_refusal_of_a_bad_url_hides_its_password() -> None:
    with pytest.raises(SharedStoreError) as caught:
        parse_location("postgresql://bob:hunter2@db/fma?model=Bad")
    with pytest.raises(SharedStoreError) as caught_too:
        parse_location("postgresql://bob:hunter2@db?password=hunter3")
    for error in (caught.value, caught_too.value):
        assert "hunter" not in str(error)
    assert "bob:****@db" in str(caught_too.value)


def test_a_space_in_a_parameter_reaches_libpq_as_percent_20() -> None:
    """libpq does not read '+' as a space: options=-c statement_timeout=... must stay %20."""
    location = parse_location("postgresql://db/fma?options=-c%20statement_timeout%3D7000&model=m")
    assert location.conninfo() == "postgresql://db/fma?options=-c%20statement_timeout%3D7000"


def test_the_location_object_never_shows_its_password() -> None:
    """repr and str (what a log line's %s, an f-string or a debugger shows) are the display."""
    location = parse_location("postgresql://bob:hunter2@db/fma?sslpassword=hunter3&model=m")
    for shown in (repr(location), str(location), f"{location}", [location].__repr__()):
        assert "hunter" not in shown
        assert "postgresql://bob@db/fma?model=m" in shown
    assert location.password == "hunter2"  # still there for libpq


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bob:TOP/SECRET@db/fma?model=m",
        "postgresql://bob:TOP/SECRET@db:5432/fma",
        "postgresql://bob:TOP/SE@CRET@db/fma?model=m",
    ],
)
def test_a_password_with_a_slash_is_refused_without_showing_it(url: str) -> None:
    """Review of issue 18, finding 4: the URL was cut at its first '/', so the message quoted
    the password as the database name."""
    with pytest.raises(SharedStoreError) as raised:
        parse_location(url)
    message = str(raised.value)
    assert "SECRET" not in message
    assert "TOP" not in message
    assert "bob:****@db" in message
    assert "percent-encoded (%2F, %40)" in message


def test_the_repr_of_a_location_shows_no_password() -> None:
    location = parse_location("postgresql://bob:TOPSECRET@db/fma?model=m&sslpassword=KEYPASS")
    assert repr(location) == "SharedLocation('postgresql://bob@db/fma?model=m')"
    assert "TOPSECRET" not in f"{location!r} {[location]}"
