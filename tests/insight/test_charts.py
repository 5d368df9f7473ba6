"""Charts are real PNGs of a phone-friendly size (the numbers are tested in test_rules)."""

from __future__ import annotations

import struct
from datetime import date, timedelta

from bot.insight.charts import draw_e1rm_chart, draw_volume_chart
from storage.insight.series import LoggedSet, Point, weekly_volume

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert data.endswith(b"IEND\xaeB`\x82")
    return width, height


def test_e1rm_chart_is_a_sane_png() -> None:
    points = [Point(date(2026, 1, 5) + timedelta(days=3 * i), 100 + i * 1.5) for i in range(20)]
    for unit in ("kg", "lb"):
        data = draw_e1rm_chart(points, title="Back Squat", unit=unit)
        width, height = png_size(data)
        assert 800 <= width <= 2000 and 500 <= height <= 1500
        assert 10_000 < len(data) < 1_000_000  # well under Telegram's 10 MB photo limit
    png_size(draw_e1rm_chart([], title="Nothing yet", unit="kg"))
    png_size(draw_e1rm_chart(points[:1], title="One day", unit="kg"))


def test_volume_chart_is_a_sane_png() -> None:
    monday = date(2026, 1, 5)
    sets = [
        LoggedSet(monday + timedelta(days=i), 5, 80 + i, pattern)
        for i in range(0, 56, 2)
        for pattern in ("squat", "push", "pull", "hinge")
    ]
    data = draw_volume_chart(weekly_volume(sets), title="Weekly volume", unit="kg")
    width, height = png_size(data)
    assert 800 <= width <= 2000 and 500 <= height <= 1500
    assert len(data) < 1_000_000
    png_size(draw_volume_chart(weekly_volume([]), title="Weekly volume", unit="kg"))


def test_the_longest_digest_fits_one_message() -> None:
    from datetime import date

    from bot.insight.texts import digest

    long = ["<b>" + "Ж" * 100 + "</b> — " + "😀" * 100 for _ in range(50)]
    text = digest(
        "T" * 100,
        date(2026, 3, 2),
        done=long,
        missed=long,
        records=long,
        low_readiness=long,
        joined=long,
        left=long,
    )
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "&lt;b&gt;" in text and "+44 more" in text
