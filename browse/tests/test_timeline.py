"""The milestone timeline's geometry: pure Python, no database."""

import datetime

from browse.timeline import (
    PLOT_LEFT,
    PLOT_RIGHT,
    ROW_HEIGHT,
    TOP,
    Entry,
    Track,
    build_timeline,
    shorten,
    x_for,
)

TODAY = datetime.date(2026, 11, 22)


def entry(due, day=None, description="Final report", reported=False):
    return Entry(description=description, due=due, due_date=day, reported=reported)


def test_markers_are_placed_left_to_right_in_date_order():
    days = [
        datetime.date(2024, 9, 30),
        datetime.date(2025, 3, 31),
        datetime.date(2026, 12, 31),
        datetime.date(2031, 12, 31),
    ]
    timeline = build_timeline(
        [Track("Lemtrada · DUS", [entry(str(day), day) for day in reversed(days)])], TODAY
    )
    xs = [marker.x for marker in timeline.rows[0].markers]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert [marker.due_date for marker in timeline.rows[0].markers] == days
    assert all(PLOT_LEFT <= x <= PLOT_RIGHT for x in xs)


def test_axis_spans_the_milestone_years_and_today():
    timeline = build_timeline(
        [Track("A", [entry("Q3 2024", datetime.date(2024, 9, 30))]),
         Track("B", [entry("2031", datetime.date(2031, 12, 31))])],
        TODAY,
    )  # fmt: skip
    assert (timeline.start, timeline.end) == (datetime.date(2024, 1, 1), datetime.date(2032, 1, 1))
    assert [tick.year for tick in timeline.ticks] == list(range(2024, 2032))
    assert timeline.ticks[0].x == PLOT_LEFT
    tick_xs = [tick.x for tick in timeline.ticks]
    assert tick_xs == sorted(tick_xs)
    # Each year's label sits in the middle of its year.
    assert all(
        a.x < a.label_x < b.x for a, b in zip(timeline.ticks, timeline.ticks[1:], strict=False)
    )


def test_the_axis_reaches_today_when_every_milestone_is_in_the_past():
    timeline = build_timeline([Track("A", [entry("2020", datetime.date(2020, 12, 31))])], TODAY)
    assert timeline.first_year == 2020 and timeline.last_year == 2026
    assert timeline.rows[0].markers[0].x < timeline.today_x <= PLOT_RIGHT


def test_today_line_position():
    timeline = build_timeline([Track("A", [entry("2027", datetime.date(2027, 12, 31))])], TODAY)
    # Axis 1 Jan 2026 – 1 Jan 2028 (730 days); 22 Nov 2026 is day 325.
    expected = PLOT_LEFT + 325 / 730 * (PLOT_RIGHT - PLOT_LEFT)
    assert abs(timeline.today_x - expected) < 0.1
    assert timeline.today_x == x_for(TODAY, timeline.start, timeline.end)
    marker = timeline.rows[0].markers[0]
    assert timeline.today_x < marker.x


def test_a_milestone_due_today_is_not_overdue_and_sits_on_the_today_line():
    timeline = build_timeline([Track("A", [entry("22 November 2026", TODAY)])], TODAY)
    marker = timeline.rows[0].markers[0]
    assert marker.kind == "due" and marker.x == timeline.today_x


def test_overdue_markers_have_a_different_shape_and_say_so_in_their_title():
    timeline = build_timeline(
        [
            Track(
                "Lemtrada · Drug Utilization Study",
                [
                    entry("Q3 2024", datetime.date(2024, 9, 30)),
                    entry("Q1 2024", datetime.date(2024, 3, 31), "Interim report", reported=True),
                    entry("2031", datetime.date(2031, 12, 31), "Final data"),
                ],
            )
        ],
        TODAY,
    )
    reported, overdue, due = timeline.rows[0].markers
    assert (reported.kind, overdue.kind, due.kind) == ("reported", "overdue", "due")
    assert overdue.title == ("Lemtrada · Drug Utilization Study – Final report: Q3 2024 (overdue)")
    assert due.title == "Lemtrada · Drug Utilization Study – Final data: 2031"
    assert reported.title.endswith("Interim report: Q1 2024 (reported)")
    assert timeline.overdue_count == 1
    # A diamond centred on the marker.
    points = [tuple(map(float, p.split(","))) for p in overdue.diamond_points.split()]
    assert sorted(x for x, _ in points)[1:3] == [overdue.x, overdue.x]
    assert max(y for _, y in points) - overdue.y == overdue.y - min(y for _, y in points)


def test_rows_are_stacked_and_undated_milestones_listed_apart():
    timeline = build_timeline(
        [
            Track("Lemtrada · DUS", [entry("Q3 2024", datetime.date(2024, 9, 30))]),
            Track("Lemtrada · EFC13429", [entry("within 6 months of LPLV", None, "Final data")]),
            Track("Uplizna · Registry", []),
            Track("Lemtrada · OBS13434", [entry("2031", datetime.date(2031, 12, 31))]),
        ],
        TODAY,
    )
    assert [row.label for row in timeline.rows] == ["Lemtrada · DUS", "Lemtrada · OBS13434"]
    assert [row.y for row in timeline.rows] == [TOP + ROW_HEIGHT / 2, TOP + ROW_HEIGHT * 1.5]
    assert [row.striped for row in timeline.rows] == [False, True]
    assert [(u.label, u.description, u.due) for u in timeline.undated] == [
        ("Lemtrada · EFC13429", "Final data", "within 6 months of LPLV")
    ]
    assert timeline.without_milestones == ("Uplizna · Registry",)
    assert timeline.height == TOP + 2 * ROW_HEIGHT + 48
    assert timeline.plot_bottom == TOP + 2 * ROW_HEIGHT


def test_empty_input_gives_an_empty_timeline_around_today():
    timeline = build_timeline([], TODAY)
    assert timeline.is_empty
    assert timeline.rows == () and timeline.undated == () and timeline.overdue_count == 0
    assert [tick.year for tick in timeline.ticks] == [2026]
    assert PLOT_LEFT < timeline.today_x < PLOT_RIGHT


def test_only_undated_milestones_still_gives_no_rows():
    timeline = build_timeline([Track("A", [entry("at LPLV")])], TODAY)
    assert timeline.is_empty and len(timeline.undated) == 1


def test_long_labels_are_shortened_but_kept_whole_for_the_tooltip():
    label = "Uplizna · Real-World Observational Study of Outcomes for Patients"
    timeline = build_timeline([Track(label, [entry("2027", datetime.date(2027, 12, 31))])], TODAY)
    row = timeline.rows[0]
    assert row.full_label == label
    assert row.label == shorten(label) and row.label.endswith("…") and len(row.label) == 34
