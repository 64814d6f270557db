"""A server-rendered timeline of study milestones: pure geometry, no queries, no markup.

``build_timeline(tracks, today)`` places each dated milestone on a year axis that spans
the milestones' years and today, one row per study; ``templates/browse/_timeline.svg``
draws the result (autoescaped). Milestones relative to an event ("within 6 months of
LPLV") have no date, so they are returned as a list to print under the timeline.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Drawing units (the SVG scales to its container through its viewBox).
WIDTH = 960
LABEL_WIDTH = 270  # left column holding each row's label
RIGHT_MARGIN = 24
TOP = 56  # room for the year labels and the "Today" label
ROW_HEIGHT = 32
LEGEND_HEIGHT = 48
MARKER_SIZE = 7
LABEL_MAX_CHARS = 34

PLOT_LEFT = LABEL_WIDTH
PLOT_RIGHT = WIDTH - RIGHT_MARGIN


@dataclass(frozen=True)
class Entry:
    """A milestone as the timeline needs it."""

    description: str
    due: str  # as written
    due_date: datetime.date | None  # normalised; None when relative to an event
    reported: bool = False


@dataclass(frozen=True)
class Track:
    """A study: its label (product + study name) and its milestones."""

    label: str
    entries: Sequence[Entry]


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    kind: str  # "due", "overdue" or "reported": drawn as circle, diamond, square
    title: str
    due_date: datetime.date

    @property
    def overdue(self):
        return self.kind == "overdue"

    @property
    def diamond_points(self):
        s = MARKER_SIZE + 1
        points = [
            (self.x, self.y - s),
            (self.x + s, self.y),
            (self.x, self.y + s),
            (self.x - s, self.y),
        ]
        return " ".join(f"{round(x, 1)},{round(y, 1)}" for x, y in points)

    @property
    def square_x(self):
        return round(self.x - MARKER_SIZE + 1, 1)

    @property
    def square_y(self):
        return round(self.y - MARKER_SIZE + 1, 1)


@dataclass(frozen=True)
class Row:
    label: str  # shortened to fit the label column
    full_label: str
    y: float  # centre line
    top: float
    markers: tuple[Marker, ...]
    striped: bool


@dataclass(frozen=True)
class Tick:
    year: int
    x: float  # 1 January of the year
    label_x: float  # middle of the year


@dataclass(frozen=True)
class Undated:
    label: str
    description: str
    due: str


@dataclass(frozen=True)
class Timeline:
    today: datetime.date
    start: datetime.date  # 1 January of the first year shown
    end: datetime.date  # 1 January after the last year shown
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    today_x: float
    undated: tuple[Undated, ...]
    without_milestones: tuple[str, ...]  # labels of tracks with no milestone at all
    overdue_count: int
    width: int = WIDTH
    height: int = field(default=0)
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    top: int = TOP
    row_height: int = ROW_HEIGHT
    marker_size: int = MARKER_SIZE

    @property
    def is_empty(self):
        return not self.rows

    @property
    def plot_bottom(self):
        return self.top + len(self.rows) * self.row_height

    @property
    def first_year(self):
        return self.start.year

    @property
    def last_year(self):
        return self.end.year - 1

    @property
    def legend_y(self):
        return self.plot_bottom + LEGEND_HEIGHT // 2 + 4

    @property
    def today_label_x(self):
        """Keep the "Today" label inside the drawing near either edge."""
        return min(max(self.today_x, self.plot_left + 20), self.plot_right - 20)


def x_for(day: datetime.date, start: datetime.date, end: datetime.date) -> float:
    """Horizontal position of ``day`` on an axis from ``start`` to ``end`` (exclusive)."""
    span = (end - start).days
    return round(PLOT_LEFT + (day - start).days / span * (PLOT_RIGHT - PLOT_LEFT), 1)


def shorten(text: str, limit: int = LABEL_MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def marker_kind(entry: Entry, today: datetime.date) -> str:
    if entry.reported:
        return "reported"
    return "overdue" if entry.due_date < today else "due"


def marker_title(label: str, entry: Entry, kind: str) -> str:
    title = f"{label} – {entry.description}: {entry.due}"
    if kind == "overdue":
        return f"{title} (overdue)"
    if kind == "reported":
        return f"{title} (reported)"
    return title


def build_timeline(tracks: Iterable[Track], today: datetime.date) -> Timeline:
    """Lay out ``tracks`` on a year axis spanning their dated milestones' years and today.

    Only tracks with at least one dated milestone get a row; milestones relative to an
    event are returned in ``undated``.
    """
    tracks = list(tracks)
    dated = [(track, [e for e in track.entries if e.due_date is not None]) for track in tracks]
    dated = [(track, entries) for track, entries in dated if entries]
    years = {entry.due_date.year for _, entries in dated for entry in entries} | {today.year}
    start = datetime.date(min(years), 1, 1)
    end = datetime.date(max(years) + 1, 1, 1)

    rows = []
    for index, (track, entries) in enumerate(dated):
        top = TOP + index * ROW_HEIGHT
        y = top + ROW_HEIGHT / 2
        markers = []
        for entry in sorted(entries, key=lambda e: e.due_date):
            kind = marker_kind(entry, today)
            markers.append(
                Marker(
                    x=x_for(entry.due_date, start, end),
                    y=y,
                    kind=kind,
                    title=marker_title(track.label, entry, kind),
                    due_date=entry.due_date,
                )
            )
        rows.append(
            Row(
                label=shorten(track.label),
                full_label=track.label,
                y=y,
                top=top,
                markers=tuple(markers),
                striped=index % 2 == 1,
            )
        )

    ticks = []
    for year in range(start.year, end.year):
        first = datetime.date(year, 1, 1)
        following = datetime.date(year + 1, 1, 1)
        ticks.append(
            Tick(
                year=year,
                x=x_for(first, start, end),
                label_x=round((x_for(first, start, end) + x_for(following, start, end)) / 2, 1),
            )
        )

    undated = tuple(
        Undated(track.label, entry.description, entry.due)
        for track in tracks
        for entry in track.entries
        if entry.due_date is None
    )
    height = TOP + len(rows) * ROW_HEIGHT + LEGEND_HEIGHT
    return Timeline(
        today=today,
        start=start,
        end=end,
        rows=tuple(rows),
        ticks=tuple(ticks),
        today_x=x_for(today, start, end),
        undated=undated,
        without_milestones=tuple(track.label for track in tracks if not track.entries),
        overdue_count=sum(marker.overdue for row in rows for marker in row.markers),
        height=height,
    )


def tracks_for_studies(studies) -> list[Track]:
    """Tracks for studies loaded with ``plan__product`` and prefetched ``milestones``."""
    return [
        Track(
            label=f"{study.plan.product.name} · {study.name}",
            entries=[
                Entry(
                    description=milestone.description,
                    due=milestone.due,
                    due_date=milestone.due_date,
                    reported=milestone.reported_on is not None,
                )
                for milestone in study.milestones.all()
            ],
        )
        for study in studies
    ]
