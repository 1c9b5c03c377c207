"""Staff accounts, sign-in, sessions and CSRF. These need no reports: the console pages
that show data are tested in test_web_console.py."""
from __future__ import annotations

import re
import sqlite3
import subprocess
import sys

import pytest

from web import create_app
from web.__main__ import main as web_main
from web.users import create_user, users_path
from tests.conftest import ROOT

NAME, PASSWORD = "staff", "correct-horse-battery"


@pytest.fixture
def app(config):
    app = create_app(config, {"TESTING": True})
    create_user(config, NAME, PASSWORD)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, name=NAME, password=PASSWORD, next_url=""):
    return client.post("/login", data={"name": name, "password": password, "next": next_url,
                                       "csrf_token": csrf_token(client)})


# --- accounts -------------------------------------------------------------------

def test_flask_cli_creates_a_user_with_a_hashed_password(config):
    app = create_app(config)
    result = app.test_cli_runner().invoke(args=["create-user", "王小明"], input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert "已创建用户 王小明" in result.output
    db = sqlite3.connect(users_path(config))
    (pw_hash,) = db.execute("SELECT password_hash FROM users WHERE name = ?", ("王小明",)).fetchone()
    db.close()
    assert "s3cret-pass" not in pw_hash and pw_hash.startswith(("scrypt:", "pbkdf2:"))
    # users live in data_dir, away from the fact store
    assert users_path(config).parent == config.data_path and users_path(config).name == "users.sqlite3"


def test_flask_cli_refuses_duplicates_mismatch_and_short_passwords(app):
    runner = app.test_cli_runner()
    dup = runner.invoke(args=["create-user", NAME], input="another-pass\nanother-pass\n")
    assert dup.exit_code != 0 and "已存在" in dup.output
    short = runner.invoke(args=["create-user", "li"], input="short\nshort\n")
    assert short.exit_code != 0 and "至少" in short.output
    mismatch = runner.invoke(args=["create-user", "zhao"], input="long-enough-1\nlong-enough-2\n"
                                                                   "long-enough-1\nlong-enough-1\n")
    assert mismatch.exit_code == 0  # click asks again after a mismatch
    replaced = runner.invoke(args=["create-user", NAME, "--replace"], input="brand-new-pass\nbrand-new-pass\n")
    assert replaced.exit_code == 0


def test_python_m_web_create_user(config, monkeypatch, capsys):
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO("typed-password\n"))
    assert web_main(["create-user", "zhang", "--data-dir", str(config.data_path)]) == 0
    assert "zhang" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("typed-password\n"))
    assert web_main(["create-user", "zhang", "--data-dir", str(config.data_path)]) == 1


@pytest.mark.parametrize("name", ["", "  ", "has space", "x" * 65, "tab\tname"])
def test_bad_user_names(config, name):
    with pytest.raises(ValueError):
        create_user(config, name, "long-enough-pass")


# --- sign-in and sessions -----------------------------------------------------

@pytest.mark.parametrize("path", ["/console/", "/console/figures", "/console/reports", "/console/jobs/x"])
def test_console_needs_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_console_status_poll_without_login_is_401_json(client):
    resp = client.get("/console/jobs/x/status", headers={"Accept": "application/json"})
    assert resp.status_code == 401 and "登录" in resp.get_json()["error"]


def test_login_with_wrong_password_or_unknown_user(client):
    for name, password in ((NAME, "wrong-password"), ("nobody", PASSWORD)):
        resp = login(client, name, password)
        assert resp.status_code == 401
        assert "用户名或密码不正确" in resp.get_data(as_text=True)
    assert client.get("/console/reports").status_code == 302


def test_login_goes_to_next_and_logout_ends_the_session(client):
    resp = login(client, next_url="/console/reports")
    assert resp.status_code == 302 and resp.headers["Location"] == "/console/reports"
    page = client.get("/console/reports")
    assert page.status_code == 200 and "退出（staff）" in page.get_data(as_text=True)
    resp = client.post("/logout", data={"csrf_token": csrf_token(client, "/console/reports")})
    assert resp.status_code == 302
    assert client.get("/console/reports").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_login_never_redirects_off_site(client, target):
    resp = login(client, next_url=target)
    assert resp.headers["Location"] == "/console/"


def test_login_page_escapes_next(client):
    html = client.get('/login?next="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


# --- CSRF -----------------------------------------------------------------------

def test_forms_without_a_csrf_token_are_refused(client):
    resp = client.post("/login", data={"name": NAME, "password": PASSWORD})
    assert resp.status_code == 400 and "安全令牌" in resp.get_data(as_text=True)
    login(client)
    for path in ("/logout", "/console/reports/upload", "/console/reports/1/delete", "/console/reports/1/reingest"):
        assert client.post(path, data={}).status_code == 400, path
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/console/reports").status_code == 200  # still signed in


def test_security_headers(client):
    resp = client.get("/login")
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "HttpOnly" in client.post("/login", data={"name": NAME, "password": PASSWORD,
                                                      "csrf_token": csrf_token(client)}).headers["Set-Cookie"]


def test_secret_key_is_generated_once_into_the_shared_store(config):
    first = create_app(config).secret_key
    assert len(first) == 64 and not (config.data_path / "secret_key").exists()
    # Another worker process: a fresh interpreter reading the same store signs with the same key.
    other = subprocess.run([sys.executable, "-c", "import sys; from ingest.settings import load; from web import "
                            "create_app; print(create_app(load(data_dir=sys.argv[1])).secret_key)",
                            str(config.data_path)], capture_output=True, text=True, check=True, cwd=ROOT)
    assert other.stdout.strip() == first
    assert create_app(config.replace(web_secret_key="from-config")).secret_key == "from-config"


def test_a_key_file_from_an_older_release_is_kept(tmp_path):
    from ingest.settings import load
    config = load(data_dir=str(tmp_path / "data"))
    config.data_path.mkdir(parents=True)
    (config.data_path / "secret_key").write_text("k" * 64, encoding="ascii")
    assert create_app(config).secret_key == "k" * 64  # sessions signed before the upgrade stay valid


def test_repeated_failed_sign_ins_are_refused_for_a_while(client):
    for _ in range(5):
        assert login(client, NAME, "wrong-password").status_code == 401
    # Even the right password is refused now: guessing cannot go on at the server's speed.
    resp = login(client, NAME, PASSWORD)
    assert resp.status_code == 429 and "过多" in resp.get_data(as_text=True)
    # Another account from the same address is not locked.
    assert login(client, "someone-else", "x").status_code == 401


def test_padding_the_name_gets_no_fresh_tries(client):
    for typed in (NAME, " " + NAME, NAME + " ", "  " + NAME, NAME + "\t"):
        assert login(client, typed, "wrong-password").status_code == 401
    for typed in (NAME, " " + NAME, NAME + "  "):
        assert login(client, typed, PASSWORD).status_code == 429


def test_a_lockout_set_through_one_worker_holds_in_another(app, config):
    # Two app instances over one data dir stand for two worker processes: nothing of the count
    # lives in either one's memory.
    other = create_app(config, {"TESTING": True}).test_client()
    for _ in range(5):
        assert login(app.test_client(), NAME, "wrong-password").status_code == 401
    assert login(other, NAME, PASSWORD).status_code == 429


def test_one_address_guessing_many_accounts_is_stopped(client):
    from web.auth import MAX_ADDRESS_FAILURES
    for i in range(MAX_ADDRESS_FAILURES):
        assert login(client, f"guess-{i}", "x").status_code == 401
    assert login(client, NAME, PASSWORD).status_code == 429


def _stolen_copy(app, client):
    """A second browser holding the same session cookie (copied, stolen, or an old tab)."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    other.set_cookie(cookie.key, cookie.value)
    return other


def test_sign_out_ends_every_copy_of_the_session(app, client):
    login(client)
    other = _stolen_copy(app, client)
    assert other.get("/console/reports").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/console/reports")})
    assert other.get("/console/reports").status_code == 302


def test_a_password_reset_ends_the_old_sessions(app, client, config):
    login(client)
    assert client.get("/console/reports").status_code == 200
    create_user(config, NAME, "a-brand-new-password", replace=True)
    assert client.get("/console/reports").status_code == 302
    assert login(client, NAME, "a-brand-new-password").status_code == 302
    assert client.get("/console/reports").status_code == 200


def test_the_accounts_file_is_private(app, config):
    import stat
    assert stat.S_IMODE(users_path(config).stat().st_mode) == 0o600


def test_the_session_cookie_is_secure_when_served_over_https(config):
    app = create_app(config.replace(web_secure_cookies=True), {"TESTING": True})
    create_user(config, NAME, PASSWORD)
    client = app.test_client()
    html = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    # Flask-WTF checks the referrer on HTTPS, as a browser sends it.
    resp = client.post("/login", data={"name": NAME, "password": PASSWORD, "csrf_token": token},
                       base_url="https://localhost", headers={"Referer": "https://localhost/login"})
    assert resp.status_code == 302 and "Secure" in resp.headers["Set-Cookie"]
