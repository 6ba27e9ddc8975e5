"""The served workspace (zwgk serve) over one night of the demo network: who may see and do what.

- every route and API endpoint, walked as unit A against unit B's objects, answers 403 or 404 (a
  route added without a case here fails `test_every_route_has_a_cross_unit_case`);
- sign-in: CSRF on the form, throttled failures, no open redirect, cookie flags;
- forms without the session's CSRF token are refused; the API ignores the session cookie;
- uploads: checked by their bytes, stored outside the reports folder, sent only as downloads;
- a 误报 claim accepted by the supervisor stops counting in the unit's score;
- every action is in the audit log.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.findings.numbers import finding_number
from zwgk.store.db import Store
from zwgk.store.schema import AuditEntry, Finding, Submission
from zwgk.web import accounts
from zwgk.web.app import create_app
from zwgk.web.context import ServeConfig
from zwgk_demonet import build_network

httpx = pytest.importorskip("httpx")  # dev extra: FastAPI's TestClient
from fastapi.testclient import TestClient  # noqa: E402

pytestmark = pytest.mark.slow
AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()
PASSWORD = "正确的密码-2026"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One portal crawled and checked; accounts for two of its units, a supervisor and a leader."""
    tmp = tmp_path_factory.mktemp("web")
    network = build_network(AS_OF)
    store = Store(f"sqlite:///{tmp}/web.db")
    with network.serve() as running:
        sites = running.write_registry(tmp / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        truth = network.ground_truth()
        counts: dict[str, set[str]] = {}
        for t in truth:
            counts.setdefault(t["portal"], set()).add(t["unit"])
        pid = max(sorted(counts), key=lambda p: len(counts[p]))
        stages.crawl(store, sites, registry, AS_OF, only=pid)
        stages.check(store, AS_OF, CATALOG)
    with store.session() as s:
        units = sorted(
            {u for (u,) in s.execute(select(Finding.unit_id).where(Finding.portal_id == pid)).all()}
        )
        a, b = units[0], units[1]
        accounts.add_account(s, "unit-a", "", "unit", PASSWORD, pid, a)
        accounts.add_account(s, "unit-b", "", "unit", PASSWORD, pid, b)
        accounts.add_account(s, "boss", "政务公开办", "supervisor", PASSWORD)
        accounts.add_account(s, "leader", "分管领导", "leader", PASSWORD)
        tokens = {
            login: accounts.new_api_token(s, accounts.get_account(s, login), "test")
            for login in ("unit-a", "unit-b", "boss", "leader")
        }
        fa = s.execute(select(Finding).where(Finding.portal_id == pid, Finding.unit_id == a)).scalars().all()
        fb = s.execute(select(Finding).where(Finding.portal_id == pid, Finding.unit_id == b)).scalars().all()
    reports = tmp / "reports"
    (reports / "units").mkdir(parents=True)
    (reports / "evidence").mkdir()
    from zwgk.reports.units import unit_file

    for unit, found in ((a, fa), (b, fb)):
        (reports / unit_file(pid, unit)).write_text(f"<p>{unit}</p>", encoding="utf-8")
        for f in found:
            (reports / "evidence" / f"{finding_number(f.id)}.html").write_text(
                "<p>证据</p>", encoding="utf-8"
            )
    (reports / "index.html").write_text("<p>目录</p>", encoding="utf-8")
    config = ServeConfig(
        db_url=store.url,
        sites=str(sites),
        reports=reports,
        uploads=tmp / "uploads",
        secure_cookies=False,
        worker=False,
    )
    return {
        "store": store,
        "config": config,
        "pid": pid,
        "a": a,
        "b": b,
        "fa": [finding_number(f.id) for f in fa],
        "fb": [finding_number(f.id) for f in fb],
        "tokens": tokens,
        "tmp": tmp,
    }


def _client(site, **overrides) -> TestClient:
    config = ServeConfig(**{**site["config"].__dict__, **overrides})
    base = "https://testserver" if config.secure_cookies else "http://testserver"  # behind the TLS proxy
    return TestClient(create_app(config), follow_redirects=False, base_url=base)


def _login(client: TestClient, login: str, password: str = PASSWORD, next_path: str = "/"):
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login", data={"login": login, "password": password, "csrf": token, "next": next_path}
    )


def _csrf(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def signed_in(site, login: str) -> TestClient:
    client = _client(site)
    assert _login(client, login).status_code == 303
    return client


def test_unit_sees_its_own_findings_only(site):
    client = signed_in(site, "unit-a")
    home = client.get("/")
    assert home.headers["location"] == f"/units/{site['pid']}/{site['a']}"
    page = client.get(home.headers["location"])
    assert page.status_code == 200
    shown = set(re.findall(r'data-number="(ZW-\d+)"', page.text))
    assert shown and shown <= set(site["fa"]) and not shown & set(site["fb"])
    assert client.get(f"/units/{site['pid']}/{site['b']}").status_code == 403
    assert client.get(f"/findings/{site['fb'][0]}").status_code == 403
    assert client.get("/supervisor").status_code == 403


# ------------------------------------------------------------------ cross-unit walk of every route
def _b_objects(site) -> dict:
    """Unit B's submission and recheck, made through the API as B."""
    client = _client(site)
    bearer = {"Authorization": f"Bearer {site['tokens']['unit-b']}"}
    number = site["fb"][0]
    sub = client.post(f"/api/v1/findings/{number}/feedback", json={"text": "已整改"}, headers=bearer)
    assert sub.status_code == 201, sub.text
    rc = client.post(f"/api/v1/findings/{number}/recheck", headers=bearer)
    assert rc.status_code == 202, rc.text
    return {"finding": number, "submission": sub.json()["id"], "recheck": rc.json()["recheck"]}


PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/healthz"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/openapi.json"),
    ("HEAD", "/api/openapi.json"),
}


def _cases(site, b) -> dict[tuple[str, str], tuple[str, str, dict]]:
    """(method, route) → (method, URL with B's objects, request kwargs). Form posts carry A's valid
    CSRF token (added by the walk), so a refusal is authorization, not a missing token."""
    pid, unit_b, n, sid, rid = site["pid"], site["b"], b["finding"], b["submission"], b["recheck"]
    from zwgk.reports.units import unit_file

    return {
        ("GET", "/"): ("GET", "/", {}),
        ("GET", "/index.html"): ("GET", "/index.html", {}),
        ("POST", "/logout"): ("POST", "/logout", {"form": True}),
        ("GET", "/units/{portal_id}/{unit_id}"): ("GET", f"/units/{pid}/{unit_b}", {}),
        ("GET", "/findings/{number}"): ("GET", f"/findings/{n}", {}),
        ("GET", "/findings/{number}/evidence"): ("GET", f"/findings/{n}/evidence", {}),
        ("POST", "/findings/{number}/recheck"): ("POST", f"/findings/{n}/recheck", {"form": True}),
        ("POST", "/findings/{number}/feedback"): (
            "POST",
            f"/findings/{n}/feedback",
            {"form": True, "data": {"text": "x"}},
        ),
        ("POST", "/findings/{number}/dispute"): (
            "POST",
            f"/findings/{n}/dispute",
            {"form": True, "data": {"text": "x"}},
        ),
        ("GET", "/submissions/{sid}/file"): ("GET", f"/submissions/{sid}/file", {}),
        ("GET", "/supervisor"): ("GET", "/supervisor", {}),
        ("POST", "/submissions/{sid}/decision"): (
            "POST",
            f"/submissions/{sid}/decision",
            {"form": True, "data": {"decision": "accept"}},
        ),
        ("GET", "/reports/{path:path}"): ("GET", f"/reports/{unit_file(pid, unit_b)}", {}),
        ("GET", "/api/v1/me"): ("GET", "/api/v1/me", {"api": True}),
        ("GET", "/api/v1/units"): ("GET", "/api/v1/units", {"api": True}),
        ("GET", "/api/v1/units/{portal_id}/{unit_id}"): (
            "GET",
            f"/api/v1/units/{pid}/{unit_b}",
            {"api": True},
        ),
        ("GET", "/api/v1/findings/{number}"): ("GET", f"/api/v1/findings/{n}", {"api": True}),
        ("POST", "/api/v1/findings/{number}/recheck"): (
            "POST",
            f"/api/v1/findings/{n}/recheck",
            {"api": True},
        ),
        ("GET", "/api/v1/rechecks/{rid}"): ("GET", f"/api/v1/rechecks/{rid}", {"api": True}),
        ("POST", "/api/v1/findings/{number}/feedback"): (
            "POST",
            f"/api/v1/findings/{n}/feedback",
            {"api": True, "json": {"text": "x"}},
        ),
        ("POST", "/api/v1/findings/{number}/dispute"): (
            "POST",
            f"/api/v1/findings/{n}/dispute",
            {"api": True, "json": {"text": "x"}},
        ),
        ("GET", "/api/v1/submissions"): ("GET", "/api/v1/submissions", {"api": True}),
        ("POST", "/api/v1/submissions/{sid}/decision"): (
            "POST",
            f"/api/v1/submissions/{sid}/decision",
            {"api": True, "json": {"accept": True}},
        ),
    }


def _routes(site) -> set[tuple[str, str]]:
    """Every (method, path) the app serves: its own routes and those of every router it includes
    (walked however the installed FastAPI nests included routers)."""
    found: set[tuple[str, str]] = set()

    def walk(routes) -> None:
        for route in routes:
            nested = getattr(route, "original_router", None)
            if nested is not None:
                walk(nested.routes)
                continue
            for method in getattr(route, "methods", None) or ():
                if method != "HEAD":
                    found.add((method, route.path))

    walk(_client(site).app.routes)
    return found


def test_every_route_has_a_cross_unit_case(site):
    b = {"finding": "ZW-000001", "submission": 1, "recheck": 1}
    routes = _routes(site)
    assert ("POST", "/api/v1/submissions/{sid}/decision") in routes and ("GET", "/supervisor") in routes
    missing = routes - set(_cases(site, b)) - PUBLIC
    assert not missing, f"routes without a cross-unit authorization case: {sorted(missing)}"


# Lists that are not about one object: answered, but without B in them.
FILTERED = {("GET", "/api/v1/me"), ("GET", "/api/v1/units"), ("GET", "/api/v1/submissions")}
OWN = {("GET", "/"), ("GET", "/index.html"), ("POST", "/logout")}  # about the caller only


def test_unit_a_gets_nothing_of_unit_b_on_any_route(site):
    b = _b_objects(site)
    cases = _cases(site, b)
    bearer = {"Authorization": f"Bearer {site['tokens']['unit-a']}"}
    for key, (method, url, opts) in sorted(cases.items()):
        if key in OWN:
            continue
        client = signed_in(site, "unit-a")
        kwargs: dict = {}
        if opts.get("api"):
            kwargs["headers"] = bearer
        if "json" in opts:
            kwargs["json"] = opts["json"]
        if opts.get("form"):
            data = dict(opts.get("data") or {})
            data["csrf"] = _session_csrf(client, site)
            kwargs["data"] = data
        answer = client.request(method, url, **kwargs)
        if key in FILTERED:
            assert answer.status_code == 200, (key, answer.status_code)
            body = answer.json()
            rows = body if isinstance(body, list) else [body]
            assert all(r["unit_id"] == site["a"] for r in rows), (key, body)  # B's submission exists
            assert rows or key == ("GET", "/api/v1/submissions"), key
            continue
        assert answer.status_code in (403, 404), (key, url, answer.status_code, answer.text[:200])
    # nothing of B's changed: its submission is still pending, its finding has no new submission
    with site["store"].session() as s:
        sub = s.get(Submission, b["submission"])
        assert sub.state == "pending"
        assert len(s.execute(select(Submission).where(Submission.unit_id == site["b"])).all()) == 1


def _session_csrf(client: TestClient, site) -> str:
    """A's own CSRF token, read from one of A's finding pages."""
    return _csrf(client, f"/findings/{site['fa'][0]}")


# ------------------------------------------------------------------ sign-in, CSRF, cookies
def test_sign_in_needs_its_form_token_and_refuses_open_redirects(site):
    client = _client(site)
    no_token = client.post("/login", data={"login": "unit-a", "password": PASSWORD})
    assert no_token.status_code == 403
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        answer = _login(_client(site), "unit-a", next_path=target)
        assert answer.status_code == 303 and answer.headers["location"] == "/", target
    answer = _login(_client(site), "unit-a", next_path=f"/findings/{site['fa'][0]}")
    assert answer.headers["location"] == f"/findings/{site['fa'][0]}"


def test_cookie_flags(site):
    secure = _client(site, secure_cookies=True)
    answer = _login(secure, "unit-a")
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("zwgk_session="))
    assert "zwgk_session=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "samesite=lax" in cookie.lower()


def test_failed_sign_ins_are_throttled(site):
    client = _client(site)
    codes = [_login(client, "leader", "wrong-password-x").status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    assert _login(client, "leader").status_code == 429, "even the right password waits out the throttle"
    assert _login(_client(site), "boss").status_code == 303, "another account is not affected"


def test_forms_without_the_session_token_are_refused(site):
    client = signed_in(site, "unit-a")
    number = site["fa"][0]
    for path, data in ((f"/findings/{number}/recheck", {}), (f"/findings/{number}/dispute", {"text": "x"})):
        assert client.post(path, data=data).status_code == 403
        assert client.post(path, data={**data, "csrf": "forged"}).status_code == 403
    with site["store"].session() as s:
        assert not s.execute(
            select(Submission).where(Submission.kind == "dispute", Submission.unit_id == site["a"])
        ).all()
    # a notice is chosen by code: a crafted address cannot put its own sentence on the page
    crafted = client.get(f"/findings/{number}", params={"done": "请拨打电话", "flash": "x", "err": "y"})
    assert (
        crafted.status_code == 200 and "请拨打电话" not in crafted.text and 'class="flash' not in crafted.text
    )


def test_api_takes_tokens_never_the_cookie(site):
    client = signed_in(site, "unit-a")
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {site['tokens']['unit-a']}"})
    assert me.status_code == 200 and me.json()["unit_id"] == site["a"]
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/findings/{number}/recheck" in schema["paths"]


def test_leader_reads_everything_and_acts_on_nothing(site):
    bearer = {"Authorization": f"Bearer {site['tokens']['leader']}"}
    client = _client(site)
    number = site["fb"][0]
    assert client.get(f"/api/v1/findings/{number}", headers=bearer).status_code == 200
    assert client.post(f"/api/v1/findings/{number}/recheck", headers=bearer).status_code == 403
    assert (
        client.post(f"/api/v1/findings/{number}/dispute", json={"text": "x"}, headers=bearer).status_code
        == 403
    )
    page = signed_in(site, "leader").get("/supervisor")
    assert page.status_code == 200 and "待审核" in page.text
    assert "/decision" not in page.text, "a leader is shown no decision forms"


# ------------------------------------------------------------------ uploads
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_uploads_are_checked_stored_apart_and_only_downloaded(site):
    client = signed_in(site, "unit-a")
    number = site["fa"][0]
    csrf = _csrf(client, f"/findings/{number}")
    html = client.post(
        f"/findings/{number}/feedback",
        data={"text": "见附件", "csrf": csrf},
        files={"file": ("proof.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")},
    )
    assert html.status_code == 400 and "附件类型不受支持" in html.text
    big = client.post(
        f"/findings/{number}/feedback",
        data={"text": "见附件", "csrf": csrf},
        files={"file": ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf")},
    )
    assert big.status_code == 400 and "附件超过 10 MB" in big.text
    ok = client.post(
        f"/findings/{number}/feedback",
        data={"text": "已按要求整改，截图见附件", "csrf": csrf},
        files={"file": ("整改说明.pdf", PDF, "text/html")},
    )
    assert ok.status_code == 303 and ok.headers["location"].endswith("?done=feedback")
    assert "整改反馈已提交" in client.get(ok.headers["location"]).text
    with site["store"].session() as s:
        sub = s.execute(
            select(Submission).where(Submission.unit_id == site["a"], Submission.file_key.is_not(None))
        ).scalar_one()
        sid, key = sub.id, sub.file_key
    stored = site["config"].uploads / key
    assert stored.read_bytes() == PDF
    assert site["config"].reports not in stored.parents
    got = client.get(f"/submissions/{sid}/file")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "script-src" not in got.headers["content-security-policy"]
    # the supervisor sees it in the queue
    queue = signed_in(site, "boss").get("/supervisor").text
    assert "已按要求整改，截图见附件" in queue and "整改说明.pdf" in queue


# ------------------------------------------------------------------ 误报 accepted → not scored
def _score(client, site, unit):
    bearer = {"Authorization": f"Bearer {site['tokens']['boss']}"}
    return client.get(f"/api/v1/units/{site['pid']}/{unit}", headers=bearer).json()


def test_accepted_false_positive_stops_counting(site):
    client = _client(site)
    unit = site["a"]
    before = _score(client, site, unit)
    counted = [f for f in before["findings"] if f["status"] != "rectified" and not f["dismissed"]]
    target = counted[0]["number"]
    bearer_a = {"Authorization": f"Bearer {site['tokens']['unit-a']}"}
    claim = client.post(
        f"/api/v1/findings/{target}/dispute", json={"text": "该栏目已按规定合并到上级栏目"}, headers=bearer_a
    )
    assert claim.status_code == 201
    bearer_boss = {"Authorization": f"Bearer {site['tokens']['boss']}"}
    decided = client.post(
        f"/api/v1/submissions/{claim.json()['id']}/decision",
        json={"accept": True, "note": "核实属实"},
        headers=bearer_boss,
    )
    assert decided.status_code == 200, decided.text
    again = client.post(
        f"/api/v1/submissions/{claim.json()['id']}/decision",
        json={"accept": False, "note": "x"},
        headers=bearer_boss,
    )
    assert again.status_code == 409
    after = _score(client, site, unit)
    card = next(f for f in after["findings"] if f["number"] == target)
    assert card["dismissed"] and card["review"] == "已复核为误报"
    if before["score"] is not None:
        assert after["score"] >= before["score"]
    assert after["open_findings"] == before["open_findings"] - 1
    # one count on every surface: the units list, the unit's page and its score agree
    listed = next(r for r in client.get("/api/v1/units", headers=bearer_boss).json() if r["unit_id"] == unit)
    assert listed["open"] == after["open_findings"]
    page = signed_in(site, "unit-a").get(f"/units/{site['pid']}/{unit}").text
    assert f"{after['open_findings']} 条" in page.split("待整改问题")[1][:40]


def test_every_action_is_audited(site):
    with site["store"].session() as s:
        actions = {a for (a,) in s.execute(select(AuditEntry.action)).all()}
    assert {"login", "login_failed", "recheck", "feedback", "dispute", "accept"} <= actions


def test_rechecks_are_capped_per_unit_and_one_waits_per_finding(site):
    from zwgk.store.schema import Recheck

    with site["store"].session() as s:
        asked = len(s.execute(select(Recheck).where(Recheck.unit_id == site["a"])).all())
    client = _client(site, recheck_per_hour=asked + 1)
    bearer = {"Authorization": f"Bearer {site['tokens']['unit-a']}"}
    first = client.post(f"/api/v1/findings/{site['fa'][-1]}/recheck", headers=bearer)
    assert first.status_code == 202, first.text
    again = client.post(f"/api/v1/findings/{site['fa'][-1]}/recheck", headers=bearer)
    assert again.status_code == 202 and again.json()["recheck"] == first.json()["recheck"]
    over = client.post(f"/api/v1/findings/{site['fa'][-2]}/recheck", headers=bearer)
    assert over.status_code == 429 and "一小时内" in over.json()["detail"]
    # the page says so too, and nothing is queued for it
    page = _client(site, recheck_per_hour=asked + 1)
    assert _login(page, "unit-a").status_code == 303
    number = site["fa"][-2]
    refused = page.post(f"/findings/{number}/recheck", data={"csrf": _csrf(page, f"/findings/{number}")})
    assert refused.status_code == 429 and "一小时内" in refused.text
    with site["store"].session() as s:
        assert len(s.execute(select(Recheck).where(Recheck.unit_id == site["a"])).all()) == asked + 1


def test_workspace_pages_speak_chinese(site):
    """No rule id, config key, regex, literal or English status word on a page a person reads."""
    import lxml.html

    from tests.test_demo_command import _machine_text_patterns

    patterns = _machine_text_patterns()
    seen: list[tuple[str, str]] = []
    for login, paths in (
        ("unit-a", [f"/units/{site['pid']}/{site['a']}", *[f"/findings/{n}" for n in site["fa"][:5]]]),
        ("boss", ["/supervisor", f"/findings/{site['fb'][0]}"]),
    ):
        client = signed_in(site, login)
        for path in paths:
            doc = lxml.html.fromstring(client.get(path).text)
            for el in doc.xpath("//script|//style"):
                el.drop_tree()
            text = " ".join([doc.text_content(), *doc.xpath("//@title|//@placeholder|//@aria-label")])
            text = re.sub(r"https?://\S+", " ", text)
            for pat in patterns:
                seen.extend((path, m.group(0)) for m in pat.finditer(text))
    assert seen == [], seen[:20]


def test_supervisor_sees_coverage_and_units_not_checked(site):
    from zwgk.store.coverage import crawl_coverage, last_crawl

    with site["store"].session() as s:
        cov = crawl_coverage(s, last_crawl(s).id)
    page = signed_in(site, "boss").get("/supervisor").text
    assert f"覆盖 {cov['units_reached']}/{cov['units_total']} 个单位" in page
    # the fixture crawled one portal: every other unit is listed as not checked, with why
    assert cov["units_missed"] and page.count("未能检查</strong>") >= len(cov["units_missed"])
