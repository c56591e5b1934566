"""Wrong passwords are slowed then locked, per user and per client; unknown users cost an Argon2 check.

The throttle's clock is a counter the test steps: no test sleeps. The AppTest at the end goes
through app.py's login form with a users.toml fixture and the default settings (login.*).
"""
from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest

from kam.app import auth, login_guard
from kam.app.login_guard import LoginThrottle
from kam.figures.settings import Login, load_settings
from kam.i18n import t

PASSWORD = "Guangzhou-2026!"
RULES = Login(max_failures=3, client_max_failures=5, lock_minutes=10, delay_seconds=2)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def throttle(clock):
    return LoginThrottle(clock)


@pytest.fixture(scope="module")
def users():
    return {"gz": {"role": "regional_head", "branch": "GZ", "password_hash": auth.hash_password(PASSWORD)},
            "sso_only": {"role": "executive"}}


def test_the_first_wrong_password_costs_nothing_then_the_waits_double(throttle, clock):
    assert throttle.failed("gz", None, RULES).seconds == 0  # a typo: try again at once
    assert throttle.failed("gz", None, RULES).seconds == 2  # delay_seconds
    clock.now += 1.5
    verdict = throttle.verdict("gz", None, RULES)
    assert not verdict.allowed and not verdict.locked and verdict.seconds == pytest.approx(0.5)
    clock.now += 0.5
    assert throttle.verdict("gz", None, RULES).allowed


def test_max_failures_lock_the_user_for_lock_minutes_even_with_the_right_password(throttle, clock, users):
    verdict = None
    for _ in range(RULES.max_failures):
        clock.now += verdict.seconds if verdict else 0  # wait exactly as long as asked
        viewer, verdict = login_guard.attempt(users, "gz", "wrong", None, RULES, throttle)
        assert viewer is None
    assert verdict.locked and verdict.seconds == 600
    clock.now += 599
    viewer, verdict = login_guard.attempt(users, "gz", PASSWORD, None, RULES, throttle)
    assert viewer is None and verdict.locked and verdict.seconds == pytest.approx(1)
    clock.now += 1
    viewer, _ = login_guard.attempt(users, "gz", PASSWORD, None, RULES, throttle)
    assert viewer is not None and viewer.user == "gz"


def test_a_lock_is_per_user_name_whatever_its_case_and_spaces(throttle, clock):
    for name in ("GZ", " gz", "gz "):
        throttle.failed(name, None, RULES)
    assert throttle.verdict("gz", None, RULES).locked
    assert throttle.verdict("sz", None, RULES).allowed  # another user is not locked


def test_one_client_trying_many_user_names_is_locked(throttle):
    for i in range(RULES.client_max_failures):
        throttle.failed(f"guess{i}", "10.0.0.7", RULES)
    assert throttle.verdict("someone_else", "10.0.0.7", RULES).locked
    assert throttle.verdict("someone_else", "10.0.0.8", RULES).allowed


def test_an_unknown_client_address_is_not_one_shared_client(throttle):
    for i in range(RULES.client_max_failures):
        throttle.failed(f"guess{i}", None, RULES)
    assert throttle.verdict("someone_else", None, RULES).allowed


def test_failures_older_than_lock_minutes_are_forgotten(throttle, clock):
    throttle.failed("gz", None, RULES)
    throttle.failed("gz", None, RULES)
    clock.now += RULES.lock_minutes * 60 + 1
    throttle.failed("gz", None, RULES)  # only this one counts now: no wait, no lock
    assert throttle.verdict("gz", None, RULES).allowed


def test_the_right_password_starts_the_users_count_again(throttle, clock, users):
    throttle.failed("gz", None, RULES)
    throttle.failed("gz", None, RULES)
    clock.now += 2
    assert login_guard.attempt(users, "gz", PASSWORD, None, RULES, throttle)[0] is not None
    assert throttle.failed("gz", None, RULES).seconds == 0  # the first wrong one again


def test_an_unknown_user_runs_the_same_argon2_check_as_a_known_one(users, monkeypatch):
    checked = []
    real = auth._hasher

    class Counting:
        def verify(self, digest, password):
            checked.append(digest)
            return real.verify(digest, password)

        def hash(self, password):
            return real.hash(password)
    monkeypatch.setattr(auth, "_hasher", Counting())
    assert auth.check_password(users, "gz", "wrong") is None
    assert auth.check_password(users, "nobody", "wrong") is None
    assert auth.check_password(users, "sso_only", "no such user") is None  # the dummy's own password
    assert len(checked) == 3 and checked[1] == checked[2] == auth._dummy_hash() != checked[0]


def test_failures_are_logged_without_the_password(throttle, users, caplog):
    secret = "Hunter2-secret!"
    with caplog.at_level(logging.INFO, logger="kam.login"):
        for _ in range(RULES.max_failures):
            login_guard.attempt(users, "gz\nforged line", secret, "10.0.0.9", RULES, throttle)
            throttle.clock.now += 100
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "login failed" in text and "login locked" in text and "10.0.0.9" in text
    assert secret not in text
    assert "\nforged line" not in text  # a user name cannot start a log line of its own


def test_the_settings_hold_the_login_rules():
    assert load_settings().login == Login(max_failures=5, client_max_failures=20, lock_minutes=15, delay_seconds=1)


# ---------------------------------------------------------------- through the login form

@pytest.fixture
def app(tmp_path, monkeypatch, clock):
    path = tmp_path / "users.toml"
    path.write_text(f'[users.lockme]\nrole = "executive"\nname = "总经理"\n'
                    f'password_hash = "{auth.hash_password(PASSWORD)}"\n', encoding="utf-8")
    (tmp_path / "exports").mkdir()
    monkeypatch.setenv("KAM_USERS", str(path))
    monkeypatch.setenv("KAM_DATA", str(tmp_path / "exports"))
    login_guard.THROTTLE.reset()
    monkeypatch.setattr(login_guard.THROTTLE, "clock", clock)
    yield
    login_guard.THROTTLE.reset()


def submit(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wrong_passwords_lock_the_login_form_until_the_lock_ends(app, clock, lang):
    rules = load_settings().login
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    for i in range(rules.max_failures):
        clock.now += 60  # past every wait: only the count decides
        submit(at, "lockme", f"wrong{i}")
    assert [e.value for e in at.error] == [t("auth.locked", lang, minutes=rules.lock_minutes)]
    clock.now += 60
    submit(at, "lockme", PASSWORD)  # the right password, still locked
    assert "viewer" not in at.session_state
    assert [e.value for e in at.error] == [t("auth.locked", lang, minutes=rules.lock_minutes - 1)]
    clock.now += rules.lock_minutes * 60
    submit(at, "lockme", PASSWORD)
    assert at.session_state["viewer"].user == "lockme"


def test_a_second_wrong_password_in_a_row_asks_to_wait(app, clock):
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.query_params["lang"] = "en"
    at.run()
    submit(at, "lockme", "wrong")
    assert [e.value for e in at.error] == [t("auth.bad_login", "en")]
    submit(at, "lockme", "wrong again")
    assert [e.value for e in at.error] == [t("auth.bad_login_wait", "en", seconds=1)]
    submit(at, "lockme", PASSWORD)  # too soon: refused unchecked
    assert "viewer" not in at.session_state
    clock.now += 1
    submit(at, "lockme", PASSWORD)
    assert at.session_state["viewer"].user == "lockme"
