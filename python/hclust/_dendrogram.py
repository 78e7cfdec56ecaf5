"""scipy's dendrogram: the layout from hclust's engine, drawn with
matplotlib the way scipy draws it when asked to plot."""

import numpy as np

from . import _hclust
from ._validate import check_linkage

_DEFAULT_PALETTE = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
_palette = list(_DEFAULT_PALETTE)

_ORIENTATIONS = ("top", "bottom", "left", "right")


def set_link_color_palette(palette):
    """Sets the colours of the links below the colour threshold (None:
    back to the default, C1 to C9)."""
    global _palette
    if palette is None:
        _palette = list(_DEFAULT_PALETTE)
        return
    if not isinstance(palette, (list, tuple)):
        raise TypeError("palette must be a list or tuple")
    if not all(isinstance(c, str) for c in palette):
        raise TypeError("all palette list elements must be color strings")
    _palette = list(palette)


def _sort_name(v):
    if v is False or v is None:
        return "none"
    if v is True:
        return "ascending"
    if v in ("ascending", "descending"):
        return v
    raise ValueError(f"invalid sort {v!r}: use True, False, 'ascending' or 'descending'")


def dendrogram(Z, p=30, truncate_mode=None, color_threshold=None, get_leaves=True,
               orientation="top", labels=None, count_sort=False, distance_sort=False,
               show_leaf_counts=True, no_plot=False, no_labels=False, leaf_font_size=None,
               leaf_rotation=None, leaf_label_func=None, show_contracted=False,
               link_color_func=None, ax=None, above_threshold_color="C0"):
    """The dendrogram of Z as scipy's dict (icoord, dcoord, ivl, leaves,
    color_list, leaves_color_list), drawn with matplotlib unless no_plot."""
    Z = check_linkage(Z)
    if orientation not in _ORIENTATIONS:
        raise ValueError("orientation must be one of 'top', 'left', 'bottom', or 'right'")
    n = Z.shape[0] + 1
    if labels is not None:
        try:
            len_labels = len(labels)
        except (TypeError, AttributeError):
            len_labels = labels.shape[0]
        if len_labels != n:
            raise ValueError("Dimensions of Z and labels must be consistent.")
        labels = [str(v) for v in labels]
    if truncate_mode not in (None, "none", "lastp", "level", "mtica"):
        raise ValueError("Invalid truncation mode.")
    if truncate_mode == "lastp" and (p > n or p == 0):
        p = n
    layout = _hclust.dendrogram_layout(
        Z, truncate_mode or "none", int(p),
        None if color_threshold is None else float(color_threshold),
        above_threshold_color, list(_palette), labels,
        _sort_name(count_sort), _sort_name(distance_sort),
        bool(show_leaf_counts), bool(show_contracted), orientation,
    )
    R = {
        "icoord": [list(r) for r in layout["icoord"]],
        "dcoord": [list(r) for r in layout["dcoord"]],
        "ivl": list(layout["ivl"]),
        "leaves": list(layout["leaves"]),
        "color_list": list(layout["color_list"]),
    }
    if leaf_label_func is not None:
        R["ivl"] = [leaf_label_func(int(k)) for k in R["leaves"]]
    if link_color_func is not None:
        R["color_list"] = [link_color_func(int(k)) for k in layout["link_nodes"]]
    R["leaves_color_list"] = _leaves_colours(R, layout)
    if not get_leaves:
        R.pop("leaves")
    if not no_plot:
        _plot(R, p, n, Z, orientation, no_labels, leaf_font_size, leaf_rotation,
              layout["contraction_marks"] if show_contracted else [], ax,
              above_threshold_color)
    return R


def _leaves_colours(R, layout):
    """Each leaf's colour: that of the link it hangs from (None when no
    link is drawn)."""
    if not R["icoord"]:
        return [None] * len(R["ivl"])
    colours = {}
    for xs, ys, c in zip(R["icoord"], R["dcoord"], R["color_list"]):
        for x, y in ((xs[0], ys[0]), (xs[3], ys[3])):
            if y == 0.0 and x % 10 == 5:
                colours[int((x - 5) // 10)] = c
    return [colours.get(i) for i in range(len(R["ivl"]))]


def _plot(R, p, n, Z, orientation, no_labels, leaf_font_size, leaf_rotation,
          contraction_marks, ax, above_threshold_color):
    try:
        import matplotlib.pylab
        import matplotlib.patches
        import matplotlib.collections
    except ImportError as e:
        raise ImportError("You must install the matplotlib library to plot the dendrogram. "
                          "Use no_plot=True to calculate the dendrogram without plotting.") from e
    if ax is None:
        ax = matplotlib.pylab.gca()
        trigger_redraw = True
    else:
        trigger_redraw = False
    icoords, dcoords, ivl, colors = R["icoord"], R["dcoord"], R["ivl"], R["color_list"]
    ivw = len(ivl) * 10
    dvw = (np.max(Z[:, 2]) if Z.shape[0] else 0.0) * 1.05 or 1.0
    iv_ticks = np.arange(5, len(ivl) * 10 + 5, 10)
    if orientation in ("top", "bottom"):
        if orientation == "top":
            ax.set_ylim([0, dvw])
            ax.set_xlim([0, ivw])
        else:
            ax.set_ylim([dvw, 0])
            ax.set_xlim([0, ivw])
        xlines, ylines = icoords, dcoords
        if no_labels:
            ax.set_xticks([])
            ax.set_xticklabels([])
        else:
            ax.set_xticks(iv_ticks)
            ax.xaxis.set_ticks_position("bottom" if orientation == "top" else "top")
            for line in ax.get_xticklines():
                line.set_visible(False)
            lrot = leaf_rotation if leaf_rotation is not None else (0 if len(ivl) <= 20 else 90)
            kw = {"rotation": lrot}
            if leaf_font_size:
                kw["size"] = leaf_font_size
            ax.set_xticklabels(ivl, **kw)
    else:
        if orientation == "left":
            ax.set_xlim([dvw, 0])
        else:
            ax.set_xlim([0, dvw])
        ax.set_ylim([0, ivw])
        xlines, ylines = dcoords, icoords
        if no_labels:
            ax.set_yticks([])
            ax.set_yticklabels([])
        else:
            ax.set_yticks(iv_ticks)
            ax.yaxis.set_ticks_position("right" if orientation == "left" else "left")
            for line in ax.get_yticklines():
                line.set_visible(False)
            kw = {}
            if leaf_rotation is not None:
                kw["rotation"] = leaf_rotation
            if leaf_font_size:
                kw["size"] = leaf_font_size
            ax.set_yticklabels(ivl, **kw)
    # One collection per colour, in the order colours first appear.
    order = []
    for c in colors:
        if c not in order:
            order.append(c)
    for c in order:
        segs = [list(zip(xs, ys)) for xs, ys, cc in zip(xlines, ylines, colors) if cc == c]
        ax.add_collection(matplotlib.collections.LineCollection(segs, colors=(c,)))
    for x, h in contraction_marks:
        if orientation in ("top", "bottom"):
            e = matplotlib.patches.Ellipse((x, h), width=dvw / 100, height=1.0)
        else:
            e = matplotlib.patches.Ellipse((h, x), width=1.0, height=dvw / 100)
        ax.add_artist(e)
        e.set_clip_box(ax.bbox)
        e.set_alpha(0.5)
        e.set_facecolor("k")
    if trigger_redraw:
        matplotlib.pylab.draw_if_interactive()
