"""A real authoritative DNS server on 127.0.0.1 for the deliverability tests (dnslib).

It answers from ``zones.zone`` (records of the asked name and type; NOERROR without records
when the name exists with other types; NXDOMAIN otherwise), answers SERVFAIL for names
under ``servfail.test`` and never answers names under ``slow.test`` (a timeout).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dnslib import QTYPE, RCODE, RR, DNSError
from dnslib.server import BaseResolver, DNSLogger, DNSServer

ZONE = Path(__file__).resolve().parent / "zones.zone"
SERVFAIL, SILENT, FAN = "servfail.test", "slow.test", "fan.test"


def _under(name: str, domain: str) -> bool:
    return name == domain or name.endswith("." + domain)


class ZoneResolver(BaseResolver):  # type: ignore[misc]
    """Answers from zone data; counts the questions it received."""

    def __init__(self, zone: str) -> None:
        self.records = RR.fromZone(zone)
        self.names = {str(rr.rname).lower() for rr in self.records}
        self.questions: list[tuple[str, str]] = []

    def resolve(self, request: Any, handler: Any) -> Any:
        qname, qtype = str(request.q.qname).lower(), QTYPE[request.q.qtype]
        self.questions.append((qname.rstrip("."), qtype))
        name = qname.rstrip(".")
        if _under(name, SILENT):
            raise DNSError("dropped on purpose: the client times out")
        reply = request.reply()
        if (name == FAN or (name[:1].isdigit() and _under(name, FAN))) and qtype == "TXT":
            # An include tree four deep: each name includes ten names below it.
            deep = name.count(".") - FAN.count(".") >= 4
            includes = "" if deep else " ".join(f"include:{i}.{name}" for i in range(10))
            reply.add_answer(*RR.fromZone(f'{name}. 300 IN TXT "v=spf1 {includes} -all"'))
            return reply
        if _under(name, SERVFAIL):
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        for rr in self.records:
            if str(rr.rname).lower() == qname and QTYPE[rr.rtype] == qtype:
                reply.add_answer(rr)
        if not reply.rr and qname not in self.names:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class LocalDNS:
    """The server, started on a free UDP port of 127.0.0.1 (``resolver``: answers from
    ``zones.zone`` unless given; the benchmarks give their own zone)."""

    def __init__(self, resolver: ZoneResolver | None = None) -> None:
        self.resolver = resolver or ZoneResolver(ZONE.read_text(encoding="utf-8"))
        logger = DNSLogger(logf=lambda *_: None)
        self.server = DNSServer(self.resolver, port=0, address="127.0.0.1", logger=logger)
        self.server.start_thread()
        self.port: int = self.server.server.server_address[1]

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``, as ``--dns-server`` takes it."""
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.stop()
        self.server.server.server_close()
