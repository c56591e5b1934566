"""Single sign-on (st.login, OIDC): the operator's users come in by e-mail, mapped to a role."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from customers_fixture import write_customers
from kam.i18n import t
from kam.storage.warehouse import refresh

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "kam", "client_secret": "s",
        "server_metadata_url": "https://sso.example.com/.well-known/openid-configuration"}


@pytest.fixture
def sso_app(tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    folder.mkdir()
    refresh(write_customers(folder))
    users = tmp_path / "users.toml"
    users.write_text('[users."li.head@example.com"]\nrole = "regional_head"\nbranch = "GZ"\nname = "李"\n',
                     encoding="utf-8")
    monkeypatch.setenv("KAM_DATA", str(folder))
    monkeypatch.setenv("KAM_USERS", str(users))

    def make(user: dict) -> AppTest:
        at = AppTest.from_file("../app.py", default_timeout=60)
        at.secrets["auth"] = AUTH
        at.user = user
        at.session_state["lang"] = "en"
        at.run()
        assert not at.exception, at.exception
        return at
    return make


def test_without_a_login_only_the_single_sign_on_button_is_shown(sso_app):
    at = sso_app({"is_logged_in": False})
    assert [b.label for b in at.button] == [t("auth.sso_login", "en")]
    assert not at.dataframe and not at.metric


def test_a_signed_in_user_gets_the_role_their_e_mail_maps_to(sso_app):
    at = sso_app({"is_logged_in": True, "email": "li.head@example.com"})
    assert at.session_state["viewer"].role == "regional_head"
    assert at.session_state["viewer"].branch == "GZ"
    assert any("李" in c.value for c in at.sidebar.caption)


def test_a_signed_in_user_missing_from_the_role_file_sees_nothing(sso_app):
    at = sso_app({"is_logged_in": True, "email": "stranger@example.com"})
    assert any(e.value == t("auth.not_registered", "en") for e in at.error)
    assert "viewer" not in at.session_state
    assert not at.dataframe and not at.metric
