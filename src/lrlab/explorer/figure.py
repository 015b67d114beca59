"""One reusable Agg figure for the explorer panels: LR axes, optional momentum axes, pooled Line2D objects.

Redraws update line data in place (decimated to the axes' pixel width), keep the y-limits while the data
still fills at least half of them (so most slider moves reuse a cached frame and only blit the lines), and
encode the Agg RGBA buffer as PNG directly (unfiltered rows, zlib level 1), so a 100,000-step schedule
redraws in about 10-20 ms on an idle core.
"""

from __future__ import annotations

import struct
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from lrlab.plots import decimate

_WITH_MOM = ((0.11, 0.40, 0.86, 0.53), (0.11, 0.09, 0.86, 0.22))
_NO_MOM = (0.11, 0.12, 0.86, 0.81)
FRAME_CACHE = 8  # cached frames (background renders), about 1.1 MB each at the default size
MIN_FILL = 0.5  # keep the current y-limits while the data spans at least this fraction of them
GROW_PAD = 0.2  # head-room added (fraction of the data span) when the data outgrows the limits


def encode_png(rgba: memoryview | np.ndarray, width: int, height: int, level: int = 1) -> bytes:
    """PNG bytes of an 8-bit RGBA image (rows top to bottom): filter type 0 on every row, zlib ``level``.

    Plot images are mostly flat colour, so unfiltered rows compress nearly as well as PIL's adaptive
    filters at a fraction of the time.
    """
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    rows[:, 0] = 0
    rows[:, 1:] = np.frombuffer(rgba, dtype=np.uint8).reshape(height, 4 * width)
    body = zlib.compress(rows.data, level)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@dataclass
class Curve:
    """One line to draw: values against step 0..len-1 (``style``: matplotlib line kwargs)."""

    label: str
    y: np.ndarray
    color: str | None = None
    ls: str = "-"
    lw: float = 1.6


class LiveFigure:
    """A figure whose lines, limits, scale and first-difference marker are updated in place."""

    def __init__(self, width_in: float = 8.0, height_in: float = 4.4, dpi: int = 90) -> None:
        self.fig = Figure(figsize=(width_in, height_in), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes(_NO_MOM)
        self.ax_mom = self.fig.add_axes(_WITH_MOM[1], sharex=self.ax)
        self.ax_mom.set_visible(False)
        self.ax.set_ylabel("learning rate")
        self.ax_mom.set_ylabel("momentum")
        self.ax_mom.set_xlabel("step")
        self.ax.set_xlabel("step")
        self._pool: dict[str, list[Line2D]] = {"lr": [], "mom": []}
        self.marker = self.ax.axvline(0, color="crimson", ls=":", lw=1.3, visible=False)
        self.marker_mom = self.ax_mom.axvline(0, color="crimson", ls=":", lw=1.3, visible=False)
        self.marker_text = self.ax.text(0, 1.0, "", transform=self.ax.get_xaxis_transform(), color="crimson",
                                        fontsize="small", va="top", ha="left", visible=False)
        self.legend = None
        self.log = False
        self.png: bytes = b""
        self._frame = None
        self._legend_labels: tuple = ()
        self._frame_cache_key: tuple | None = None
        self._frames: OrderedDict[tuple, object] = OrderedDict()
        self.full_draws = 0

    @property
    def width_px(self) -> int:
        """Pixel width of the LR axes (the decimation target)."""
        return max(50, int(self.fig.get_figwidth() * self.fig.dpi * _NO_MOM[2]))

    def _lines(self, key: str, n: int) -> list[Line2D]:
        ax = self.ax if key == "lr" else self.ax_mom
        pool = self._pool[key]
        while len(pool) < n:
            (line,) = ax.plot([], [])
            pool.append(line)
        for line in pool[n:]:
            line.set_visible(False)
            line.set_label("_hidden")
        return pool[:n]

    def _draw_curves(self, key: str, curves: Sequence[Curve]) -> list[np.ndarray]:
        values = []
        for line, c in zip(self._lines(key, len(curves)), curves, strict=True):
            y = np.asarray(c.y, dtype=float)
            xd, yd = decimate(np.arange(y.size, dtype=float), y, self.width_px)
            line.set_data(xd, yd)
            line.set(visible=True, label=c.label, ls=c.ls, lw=c.lw)
            if c.color is not None:
                line.set_color(c.color)
            values.append(yd)
        return values

    def line_data(self, key: str = "lr") -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Visible lines of ``key`` ("lr" or "mom") as {label: (x, y)} (decimated data, as drawn)."""
        out = {}
        for line in self._pool[key]:
            if line.get_visible():
                x, y = line.get_data()
                out[line.get_label()] = (np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        return out

    def update(self, steps: int, lr: Sequence[Curve], mom: Sequence[Curve] = (), *, log: bool = False,
               mark: int | None = None, mark_text: str = "", title: str = "",
               lower_label: str = "momentum") -> None:
        """Set all curves, limits, scale and marker; does not render (call ``render``)."""
        with_mom = bool(mom)
        if self.ax_mom.get_ylabel() != lower_label:
            self.ax_mom.set_ylabel(lower_label)
        self.ax.set_position(_WITH_MOM[0] if with_mom else _NO_MOM)
        self.ax_mom.set_visible(with_mom)
        self.ax.xaxis.set_tick_params(labelbottom=not with_mom)
        self.ax.set_xlabel("" if with_mom else "step")
        ys = self._draw_curves("lr", lr)
        ms = self._draw_curves("mom", mom) if with_mom else []
        if not with_mom:
            self._lines("mom", 0)
        xmax = max(1, steps - 1)
        self.ax.set_xlim(0, xmax)
        if log != self.log:
            self.ax.set_yscale("log" if log else "linear")
            self.log = log
        self.ax.set_ylim(*_limits(ys, log, current=self.ax.get_ylim()))
        if with_mom:
            self.ax_mom.set_ylim(*_limits(ms, False, floor_zero=False,
                                          current=self.ax_mom.get_ylim() if self.ax_mom.get_visible() else None))
        show = mark is not None
        for artist in (self.marker, self.marker_mom, self.marker_text):
            artist.set_visible(show and (artist is not self.marker_mom or with_mom))
        if show:
            self.marker.set_xdata([mark, mark])
            self.marker_mom.set_xdata([mark, mark])
            self.marker_text.set_x(mark)
            self.marker_text.set_text(" " + mark_text)
            self.marker_text.set_ha("right" if mark > 0.6 * xmax else "left")
        self.ax.set_title(title, fontsize="medium")
        handles = [ln for ln in self._pool["lr"] if ln.get_visible()]
        labels = tuple((ln.get_label(), ln.get_color(), ln.get_linestyle()) for ln in handles)
        if labels != self._legend_labels:  # rebuilding a legend is slow: only when its entries change
            if self.legend is not None:
                self.legend.remove()
            self.legend = self.ax.legend(handles=handles, loc="upper right", fontsize="small") if handles else None
            self._legend_labels = labels

    def _dynamic(self) -> list:
        artists = [*self._pool["lr"], *self._pool["mom"], self.marker, self.marker_mom, self.marker_text]
        return [a for a in artists if a.get_visible()] + ([self.legend] if self.legend is not None else [])

    def _frame_key(self) -> tuple:
        labels = tuple(ln.get_label() for ln in self._pool["lr"] if ln.get_visible())
        return (self.ax.get_xlim(), self.ax.get_ylim(), self.ax.get_yscale(), self.ax_mom.get_visible(),
                self.ax_mom.get_ylim(), self.ax_mom.get_ylabel(), self.ax.get_position().bounds, labels,
                self.ax.get_title(), self.fig.get_size_inches().tobytes())

    def render(self) -> bytes:
        """Draw with Agg and return PNG bytes (also kept in ``self.png``).

        The frame (axes, ticks, labels) is drawn once per set of limits and cached (the last
        ``FRAME_CACHE`` frames); when only line data changed, the cached frame is restored and just the
        lines, marker and legend are drawn (blitting).
        """
        dynamic = self._dynamic()
        key = self._frame_key()
        frame = self._frames.get(key)
        if frame is None:
            for a in dynamic:
                a.set_visible(False)
            self.canvas.draw()
            self.full_draws += 1
            frame = self.canvas.copy_from_bbox(self.fig.bbox)
            self._frames[key] = frame
            if len(self._frames) > FRAME_CACHE:
                self._frames.popitem(last=False)
            for a in dynamic:
                a.set_visible(True)
        else:
            self._frames.move_to_end(key)
            self.canvas.restore_region(frame)
        self._frame, self._frame_cache_key = frame, key
        for a in dynamic:
            a.axes.draw_artist(a)
        width, height = self.canvas.get_width_height()
        self.png = encode_png(self.canvas.buffer_rgba(), width, height)
        return self.png


def _nice(x: float, up: bool) -> float:
    """Round |x| up (or down) to 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k, keeping the sign."""
    if x == 0 or not np.isfinite(x):
        return x
    sign = 1.0 if x > 0 else -1.0
    mag = abs(x)
    exp = np.floor(np.log10(mag))
    frac = mag / 10**exp
    steps = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
    if (sign > 0) == up:
        f = next(v for v in steps if v >= frac * (1 - 1e-12))
    else:
        f = next(v for v in reversed(steps) if v <= frac * (1 + 1e-12))
    return sign * f * 10**exp


def _limits(arrays: Sequence[np.ndarray], log: bool, floor_zero: bool = True,
            current: tuple[float, float] | None = None) -> tuple[float, float]:
    """y-limits covering the finite values (log: positive values only), snapped to round numbers (whole
    decades on a log scale) so small parameter changes keep the same frame.

    With ``current`` (linear scale): kept while the data fits inside and spans >= ``MIN_FILL`` of them;
    when the data outgrows them, the new limits get ``GROW_PAD`` head-room so a slider moved on in the
    same direction keeps the next frame a while."""
    finite = [a[np.isfinite(a) & ((a > 0) if log else True)] for a in arrays]
    finite = [a for a in finite if a.size]
    if not finite:
        return (1e-3, 1.0) if log else (0.0, 1.0)
    lo = min(float(a.min()) for a in finite)
    hi = max(float(a.max()) for a in finite)
    if log:
        lo_d, hi_d = np.floor(np.log10(lo)), np.ceil(np.log10(hi))
        if hi_d <= lo_d:
            hi_d = lo_d + 1
        return float(10**lo_d), float(10**hi_d)
    if floor_zero and lo >= 0:
        lo = 0.0
    span = hi - lo
    pad_lo = pad_hi = 0.02
    if current is not None and all(np.isfinite(current)) and current[1] > current[0]:
        c_lo, c_hi = float(current[0]), float(current[1])
        if c_lo <= lo and hi <= c_hi and span >= MIN_FILL * (c_hi - c_lo):
            return c_lo, c_hi
        pad_hi = GROW_PAD if hi > c_hi else pad_hi
        pad_lo = GROW_PAD if lo < c_lo else pad_lo
    if span <= 0:
        pad = abs(hi) * 0.1 or 0.1
        return _nice(lo - pad, up=False), _nice(hi + pad, up=True)
    top = _nice(hi + pad_hi * span, up=True)
    bottom = 0.0 if floor_zero and lo == 0 else _nice(lo - pad_lo * span, up=False)
    return bottom, top
