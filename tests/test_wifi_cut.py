"""The phones' Wi-Fi goes for a few seconds while people send words (small scale; the
200-phone run is bench/faults.py --fault network): the phones' open connections go
silent and nobody tells them, new ones are refused. Each phone notices by itself, comes
back online when the network does, and every word is stored exactly once.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.liveserver import LiveServer, create_workshop, join, programs_folder
from tests.phoneclient import POLICY, Phone, run_async, wait_until
from tests.tcpproxy import CuttableProxy

pytestmark = [pytest.mark.server, pytest.mark.timeout(90)]

PROGRAM = """
title = "Nettbrudd"
[[exercises]]
id = "ordsky"
title = "Ordsky"
[[exercises.phases]]
kind = "I"
minutes = 15
[exercises.wordcloud]
max_words = 20
"""
PHONES = 8


async def _wifi_cut(tmp_path: Path) -> None:
    with LiveServer(tmp_path, programs_folder(tmp_path, {"nett.toml": PROGRAM})) as server:
        wifi = CuttableProxy("127.0.0.1", server.port)
        wifi.start()
        try:
            code, key = create_workshop(server, "nett.toml")
            cookies = [f"samling_{code}={join(server, code, f'P{i}')}" for i in range(PHONES)]
            facilitator = Phone(server.url.replace("http", "ws") + "/ws", code, None, "facilitator", key)
            phones = [Phone(f"ws://127.0.0.1:{wifi.port}/ws", code, cookie) for cookie in cookies]
            for client in (facilitator, *phones):
                client.start()
            await wait_until(lambda: all(p.status == "online" and p.seq is not None for p in phones), 15)
            await facilitator.send({"type": "start"})

            async def word(phone: Phone, text: str) -> None:
                await phone.send({"type": "wordcloud_submit", "exercise": "ordsky", "word": text})

            for i, phone in enumerate(phones):
                await word(phone, f"før{i}")
            await wait_until(lambda: all(not p.unacked for p in phones), 10)

            # The Wi-Fi goes: the open connections go silent, nobody is told.
            wifi.cut(silent=True)
            cut = time.monotonic()
            for i, phone in enumerate(phones):
                await word(phone, f"under{i}")
            # A word on its way gets no answer in time: each phone sees it is offline.
            limit = POLICY["pongTimeoutMs"] / 1000 + 1.0
            await wait_until(lambda: all(p.status == "reconnecting" for p in phones), limit)
            assert wifi.dropped == PHONES
            await asyncio.sleep(max(0.0, 3.0 - (time.monotonic() - cut)))
            assert all(p.unacked for p in phones), "nothing acknowledged while the network is gone"
            assert all(p.status != "online" for p in phones)

            # It comes back: every phone is back online within a reconnect wait, and what it
            # kept goes through once.
            wifi.mend()
            mended = time.monotonic()
            back_within = POLICY["reconnect"]["capMs"] / 1000 + 1.0
            await wait_until(lambda: all(p.status == "online" for p in phones), back_within)
            assert all(any(t > mended for t in p.welcomed_at) for p in phones)
            await wait_until(lambda: all(not p.unacked for p in phones), 10)
            assert all(not p.refused for p in phones), [p.refused for p in phones]
            results = httpx.get(f"{server.url}/f/{code}/{key}/results.json").json()
            counted = Counter({w["text"]: w["count"] for w in results["exercises"][0]["wordcloud"]["words"]})
            expected = {f"{when}{i}" for when in ("før", "under") for i in range(PHONES)}
            assert set(counted) == expected
            assert max(counted.values()) == 1, "each once, though sent twice"
            await asyncio.gather(*(p.stop() for p in (facilitator, *phones)))
        finally:
            wifi.stop()


def test_phones_come_back_by_themselves_after_the_wifi_is_cut_and_lose_no_word(tmp_path: Path) -> None:
    run_async(_wifi_cut(tmp_path))
