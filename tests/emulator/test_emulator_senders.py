"""``GET /team/senders`` (lemlist's OpenAPI, "Get Team Senders"): per member, the campaigns
they send in, ``?state=`` filtering; seeded by ``add_campaign`` and ``--campaign``."""

from __future__ import annotations

import requests

from lemlist_emulator import Emulator
from lemlist_emulator.cli import build_emulator, build_parser

KEY = "senders-key-1f3a"


def _get(emu: Emulator, query: str = "") -> requests.Response:
    return requests.get(f"{emu.url}/team/senders{query}", auth=("", KEY), timeout=10)


def test_running_campaigns_per_member_as_the_spec_shapes_them() -> None:
    with Emulator(api_keys={KEY: "team_1"}, rate_limit=None) as emu:
        emu.add_campaign("usr_owner", "Community Launch")
        emu.add_campaign("usr_owner", "Onboarding", status="paused")
        answer = _get(emu, "?state=running")
        everything = _get(emu)
        bad = _get(emu, "?state=sleeping")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(
        "application/json"
    )
    body = answer.json()
    assert isinstance(body, list) and {e["userId"] for e in body} == {"usr_owner", "usr_member"}
    (owner,) = [e for e in body if e["userId"] == "usr_owner"]
    (campaign,) = owner["campaigns"]
    assert campaign["name"] == "Community Launch" and campaign["status"] == "running"
    assert campaign["_id"].startswith("cam_") and campaign["sendingChannels"] == ["email"]
    assert sum(len(e["campaigns"]) for e in everything.json()) == 2
    assert bad.status_code == 400 and bad.text == "Bad params (invalid state parameter)"
    assert bad.headers["Content-Type"].startswith("text/plain")


def test_the_route_needs_a_key_and_is_get_only() -> None:
    with Emulator(api_keys={KEY: "team_1"}, rate_limit=None) as emu:
        no_key = requests.get(f"{emu.url}/team/senders", timeout=10)
        post = requests.post(f"{emu.url}/team/senders", auth=("", KEY), timeout=10)
    assert no_key.status_code in (400, 401)
    assert post.status_code == 405


def test_the_command_line_seeds_campaigns() -> None:
    args = build_parser().parse_args(
        ["--api-key", KEY, "--port", "0", "--campaign", "usr_owner=Q4 Outreach",
         "--campaign", "usr_owner=Old: launch:ended"]
    )  # fmt: skip
    with build_emulator(args).start() as emu:
        everything = _get(emu).json()
        running = _get(emu, "?state=running").json()
    names = {c["name"]: c["status"] for e in everything for c in e["campaigns"]}
    assert names == {"Q4 Outreach": "running", "Old: launch": "ended"}
    assert [c["name"] for e in running for c in e["campaigns"]] == ["Q4 Outreach"]
