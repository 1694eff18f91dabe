"""Staff load test (issue 22): counter clerks and reviewers working through the web screens.

``JUMIN_LOADTEST=1 jumin bench staff_load`` runs it on its own (accounts, ``jumin serve`` over
HTTPS, locust, figures; docs/benchmarks.md 「負荷試験」).  By hand: prepare the accounts and the
sample residents first, then start locust within the enrollment codes' validity::

    jumin loadtest-prepare --users 100 --output var/loadtest/accounts.json
    JUMIN_LOADTEST_FILE=var/loadtest/accounts.json locust -f loadtest/locustfile.py --headless \
        -u 110 -r 5 -t 10m --reset-stats -H http://127.0.0.1:8000 --csv var/loadtest/run

``JUMIN_LOADTEST_THINK=LOW,HIGH``: seconds between two actions of one session (default 1,4);
``JUMIN_LOADTEST_WARM_UP=S``: the statistics start again S seconds after every session started.

Each simulated person enrolls a terminal of its own, logs in (ID, password, authenticator code)
and then works as a clerk does, with think time between actions: search by name and birth date,
open a person and a household, issue a 住民票の写し, enter a 転入 of a family (仮登録).  Reviewers
approve the waiting 仮登録 (本登録).  Every answer is checked (status and the page's own marker),
so a wrong page counts as a failure, not as a fast answer.  The login requests are named
``login:*`` and are left out of the working figures (argon2 is slow on purpose).

Over HTTPS with a private certificate authority, set ``JUMIN_LOADTEST_CA`` to its PEM: the
server's certificate is verified against that authority only (and its host name).  The clients
are locust's ``FastHttpUser`` (geventhttpclient): far less CPU per request than ``HttpUser``
(requests), which matters when locust shares the machine with the server.  With
``JUMIN_LOADTEST_SUMMARY=FILE`` the figures of every request but the logins are written there
as JSON when locust quits (the bench scenario ``staff_load`` reads them).
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
import gevent.ssl
from django_otp.oath import TOTP
from locust import FastHttpUser, between, events, task
from locust.stats import StatsEntry

DATA = json.loads(Path(os.environ.get("JUMIN_LOADTEST_FILE", "var/loadtest/accounts.json")).read_text("utf-8"))
ACCOUNTS: dict[str, list[dict[str, str]]] = {"clerk": [], "reviewer": []}
for account in DATA["accounts"]:
    ACCOUNTS[account["role"]].append(account)
RESIDENTS: list[dict[str, str]] = DATA["residents"]
MOVEMENT_NO = re.compile(r"/registry/movements/([^/]+)/")
WAITING = re.compile(r'name="movement_nos" value="([^"]+)"')
SERIAL = count(1)
TITLE = re.compile(r"<title>([^<]*)</title>")
# think time between two actions of one person, in seconds ("low,high"; the smoke test shortens it)
THINK = tuple(float(x) for x in os.environ.get("JUMIN_LOADTEST_THINK", "1,4").split(","))
CA = os.environ.get("JUMIN_LOADTEST_CA", "")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _trust_the_ca(**_: Any) -> gevent.ssl.SSLContext:
    """Certificates are verified against ``JUMIN_LOADTEST_CA`` only (geventhttpclient passes its
    own bundle as ``cafile``: ignored), host name included."""
    return gevent.ssl.create_default_context(cafile=CA or None)


def _next_account(role: str) -> dict[str, str]:
    if not ACCOUNTS[role]:
        raise RuntimeError(f"no {role} account left in {os.environ.get('JUMIN_LOADTEST_FILE')}: prepare more users")
    return ACCOUNTS[role].pop()


class Staff(FastHttpUser):
    abstract = True
    role = "clerk"
    wait_time = between(THINK[0], THINK[-1])
    insecure = False  # verify the server's certificate (locust's default is not to)
    ssl_context_factory = staticmethod(_trust_the_ca)
    network_timeout = 120.0  # a slow answer is measured, not cut off at locust's 60 s
    connection_timeout = 30.0

    def on_start(self) -> None:
        self.account = _next_account(self.role)
        self._get("/accounts/terminal/enroll/", "login:enroll")
        self._post("/accounts/terminal/enroll/", {"code": self.account["enrollment_code"]}, "login:enroll", "ログイン")
        self._post(
            "/accounts/login/",
            {"username": self.account["username"], "password": self.account["password"]},
            "login:password",
            "確認コード",
        )
        totp = TOTP(bytes.fromhex(self.account["totp_key"]))
        self._post("/accounts/verify/", {"token": f"{totp.token():06d}"}, "login:second-factor", "ホーム")

    def _get(self, path: str, name: str, marker: str = "", **params: Any) -> str:
        with self.client.get(path, params=params or None, name=name, catch_response=True) as response:
            return self._check(response, marker)

    def _post(self, path: str, data: dict[str, Any], name: str, marker: str = "") -> str:
        """A form post as the browser sends it: the CSRF cookie's token in the header, the
        Referer (checked over HTTPS), repeated keys for a list."""
        token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "") or ""
        headers = {**FORM, "X-CSRFToken": token, "Referer": f"{self.client.base_url}{path}"}
        body = urlencode(data, doseq=True)
        with self.client.post(path, data=body, headers=headers, name=name, catch_response=True) as response:
            return self._check(response, marker)

    @staticmethod
    def _check(response: Any, marker: str) -> str:
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")
            return ""
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith("application/pdf"):
            if marker and marker != "PDF":
                response.failure("a PDF where a page was expected")
            return ""
        text = str(response.text)
        if marker and marker != "PDF" and marker not in text:
            title = TITLE.search(text)
            response.failure(f"the page lacks {marker!r} (page: {title[1] if title else '?'})")
        elif marker == "PDF":
            response.failure("a page where the PDF was expected")
        return text


class Clerk(Staff):
    weight = 10
    role = "clerk"

    @task(4)
    def search(self) -> None:
        person = random.choice(RESIDENTS)
        data = {"name": person["kana"], "birth": person["birth"], "mode": "prefix"}
        self._post("/search/", data, "search name+birth", person["name"])

    @task(3)
    def person(self) -> None:
        person = random.choice(RESIDENTS)
        self._get(f"/registry/person/{person['atena_no']}/", "person view", person["name"])

    @task(1)
    def household(self) -> None:
        person = random.choice(RESIDENTS)
        self._get(f"/registry/household/{person['household_no']}/", "household view", "世帯")

    @task(1)
    def certificate(self) -> None:
        person = random.choice(RESIDENTS)
        self._get("/certificates/", "certificate form", "証明書", person=person["atena_no"])
        data = {
            "atena_no": person["atena_no"],
            "kind": "copy",
            "layout": "individual",
            "route": "self",
            "requester_name": person["name"],
            "requester_atena_no": person["atena_no"],
            "id_document": "mynumber_card",
            "copies": "1",
            "action": "issue",
        }
        self._post("/certificates/", data, "certificate issue", "PDF")

    @task(1)
    def move_in(self) -> None:
        self._get("/registry/movements/new/move_in/", "move-in form", "転入")
        serial = next(SERIAL)
        members = [("タロウ", "太郎", "1", "世帯主", "S55.4.1"), ("ハナコ", "花子", "2", "妻", "S57.6.3")]
        data: dict[str, Any] = {
            "reason": "domestic_move_in",
            "effective": "R8.11.20",
            "household_mode": "new",
            "addr-address": "埼玉県上尾市本町三丁目1番1号",
            "addr-postcode": "3620014",
            "prev-address": "東京都千代田区千代田1番1号",
            "p-TOTAL_FORMS": "4",
            "p-INITIAL_FORMS": "0",
            "p-MIN_NUM_FORMS": "0",
            "p-MAX_NUM_FORMS": "8",
            **{f"p-{i}-nationality_kind": "japanese" for i in range(4)},
            **{f"p-{i}-honseki_kind": "address" for i in range(4)},
        }
        for i, (kana, kanji, sex, relationship, birth) in enumerate(members):
            data |= {
                f"p-{i}-surname": "負荷",
                f"p-{i}-given_name": f"{kanji}{serial}",
                f"p-{i}-furigana_surname": "フカ",
                f"p-{i}-furigana_given_name": kana,
                f"p-{i}-birth": birth,
                f"p-{i}-sex": sex,
                f"p-{i}-relationship": relationship,
                f"p-{i}-honseki": "埼玉県上尾市本町1番地",
                f"p-{i}-koseki_head": f"負荷　太郎{serial}",
            }
        self._post("/registry/movements/new/move_in/", data, "move-in 仮登録", "確認用帳票")


class Reviewer(Staff):
    fixed_count = len(ACCOUNTS["reviewer"])  # every prepared reviewer works; the clerks are the rest
    role = "reviewer"

    @task
    def approve(self) -> None:
        queue = self._get("/registry/approvals/", "approval queue", "審査")
        waiting = WAITING.findall(queue)
        if waiting:
            self._post("/registry/approvals/", {"movement_nos": waiting[:1]}, "approve 本登録", "本登録")


@events.quitting.add_listener
def _fail_on_errors(environment: Any, **_: Any) -> None:
    """Exit non-zero when any request failed (the load test's own verdict: 0 errors)."""
    if environment.stats.total.num_failures:
        environment.process_exit_code = 1


@events.spawning_complete.add_listener
def _reset_after_the_warm_up(**_: Any) -> None:
    """``JUMIN_LOADTEST_WARM_UP`` seconds after every session started, the statistics start again
    (with ``--reset-stats`` they also do at the start): the server workers' first requests
    (templates compiled, connections opened) and the last logins stay out of the figures."""
    seconds = float(os.environ.get("JUMIN_LOADTEST_WARM_UP") or 0)
    if seconds > 0 and _ENVIRONMENT:
        gevent.spawn_later(seconds, _ENVIRONMENT[0].stats.reset_all)


_ENVIRONMENT: list[Any] = []


@events.init.add_listener
def _keep_the_environment(environment: Any, **_: Any) -> None:
    _ENVIRONMENT.append(environment)


@events.quitting.add_listener
def _write_summary(environment: Any, **_: Any) -> None:
    """Every request but the logins as one entry, into ``JUMIN_LOADTEST_SUMMARY`` (percentiles
    over the merged response times: locust's own, which keeps 2 significant digits above 100 ms)."""
    target = os.environ.get("JUMIN_LOADTEST_SUMMARY")
    if not target:
        return
    working = StatsEntry(environment.stats, "working", "")
    for entry in environment.stats.entries.values():
        if not entry.name.startswith("login:"):
            working.extend(entry)
    figures = {
        "requests": working.num_requests,
        "failures": working.num_failures,
        "rps": working.total_rps,
        "max": working.max_response_time if working.num_requests else 0,
        # what generating the load cost (locust shares the cores with the server on one machine)
        "locust_cpu_seconds": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
    }
    for percent in (50, 95, 99):
        figures[f"p{percent}"] = working.get_response_time_percentile(percent / 100) if working.num_requests else 0
    Path(target).write_text(json.dumps(figures), encoding="utf-8")
