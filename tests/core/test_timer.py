"""Phase timers are deadlines: every screen computes the same countdown from them."""

from __future__ import annotations

from app.core.timer import Timer

NOW = 1_795_564_496_000


def test_a_ready_timer_holds_its_whole_duration() -> None:
    timer = Timer.ready(180_000)
    assert timer.status == "ready"
    assert timer.remaining(NOW) == 180_000
    assert timer.remaining(NOW + 60_000) == 180_000  # nothing runs before start


def test_a_started_timer_is_a_deadline() -> None:
    timer = Timer.ready(180_000).start(NOW)
    assert timer.ends_at == NOW + 180_000
    assert timer.remaining(NOW + 30_000) == 150_000
    assert not timer.is_up(NOW + 179_999)
    assert timer.is_up(NOW + 180_000)


def test_remaining_time_never_goes_below_zero() -> None:
    timer = Timer.ready(1_000).start(NOW)
    assert timer.remaining(NOW + 60_000) == 0


def test_pause_keeps_what_is_left_and_resume_sets_a_new_deadline() -> None:
    paused = Timer.ready(180_000).start(NOW).pause(NOW + 30_000)
    assert paused.status == "paused"
    assert paused.ends_at is None
    assert paused.remaining(NOW + 500_000) == 150_000  # frozen while paused
    resumed = paused.start(NOW + 100_000)
    assert resumed.ends_at == NOW + 250_000


def test_starting_twice_or_pausing_a_paused_timer_changes_nothing() -> None:
    running = Timer.ready(60_000).start(NOW)
    assert running.start(NOW + 10_000) == running
    paused = running.pause(NOW + 1_000)
    assert paused.pause(NOW + 2_000) == paused


def test_extend_adds_time_running_paused_and_after_time_is_up() -> None:
    running = Timer.ready(60_000).start(NOW).extend(60_000, NOW + 10_000)
    assert running.ends_at == NOW + 120_000
    paused = Timer.ready(60_000).start(NOW).pause(NOW + 10_000).extend(60_000, NOW + 20_000)
    assert paused.remaining(NOW) == 110_000
    ran_out = Timer.ready(60_000).start(NOW).extend(30_000, NOW + 90_000)
    assert ran_out.ends_at == NOW + 120_000  # 30 s from the moment of the click
    assert ran_out.remaining(NOW + 90_000) == 30_000


def test_a_deadline_survives_a_restart_and_keeps_running_while_the_server_is_down() -> None:
    before = Timer.ready(900_000).start(NOW)
    stored = before.to_json()
    after = Timer(**stored)  # type: ignore[arg-type]
    assert after == before
    assert after.remaining(NOW + 300_000) == 600_000  # five minutes down: five minutes gone
