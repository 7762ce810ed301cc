"""The passages two near-duplicate texts share, side by side, for a 相似文字 match's
detail (`Match.detail["passages"]`)."""

import difflib

PASSAGES = 3  # longest passages kept per match
PASSAGE_CHARS = 300  # each side of a passage is cut to this many characters
PASSAGE_MIN = 12  # shorter common runs are not shown
PASSAGE_GAP = 8  # differences up to this long inside a passage keep it one passage
DIFF_CHARS = 6000  # difflib reads at most this much of each text


def _cut(text: str) -> str:
    return text if len(text) <= PASSAGE_CHARS else text[:PASSAGE_CHARS] + "…"


def common_passages(this: str, other: str) -> list[list[str]]:
    """The longest passages the two texts share, each as [this side, other side]: runs of
    equal characters joined across small differences, so a copy with a few characters
    changed reads as one passage with its changes visible on either side."""
    a, b = this[:DIFF_CHARS], other[:DIFF_CHARS]
    blocks = [
        m
        for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
        if m.size
    ]
    runs: list[list[int]] = []  # [a_start, a_end, b_start, b_end, equal characters]
    for m in blocks:
        last = runs[-1] if runs else None
        if last is not None and m.a - last[1] <= PASSAGE_GAP and m.b - last[3] <= PASSAGE_GAP:
            last[1], last[3], last[4] = m.a + m.size, m.b + m.size, last[4] + m.size
        else:
            runs.append([m.a, m.a + m.size, m.b, m.b + m.size, m.size])
    runs = [r for r in runs if r[4] >= PASSAGE_MIN]
    runs.sort(key=lambda r: -r[4])
    kept = sorted(runs[:PASSAGES], key=lambda r: r[0])
    edges = " \n\t。，；、：,.;:"
    return [[_cut(a[r[0] : r[1]].strip(edges)), _cut(b[r[2] : r[3]].strip(edges))] for r in kept]
