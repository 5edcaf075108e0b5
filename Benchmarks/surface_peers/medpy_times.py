"""medpy's hd95 and assd on one raw uint8 pair, timed: the peer column of `make bench-surface`.

Usage: medpy_times.py GT.raw PRED.raw SHAPE(comma list, numpy order) REPEATS
Prints one line: the median seconds of hd95 and of assd, and medpy's hd95.
"""
import statistics
import sys
import time

import numpy as np
from medpy.metric.binary import assd, hd95

gt_path, pred_path, shape_text, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
shape = tuple(int(v) for v in shape_text.split(","))
gt = np.fromfile(gt_path, dtype=np.uint8).reshape(shape).astype(bool)
pred = np.fromfile(pred_path, dtype=np.uint8).reshape(shape).astype(bool)
times_hd95, times_assd, value = [], [], 0.0
for _ in range(repeats):
    start = time.perf_counter()
    value = hd95(pred, gt)
    times_hd95.append(time.perf_counter() - start)
    start = time.perf_counter()
    assd(pred, gt)
    times_assd.append(time.perf_counter() - start)
print(
    f"medpy    {'x'.join(map(str, shape)):<22} hd95 {statistics.median(times_hd95):.4f} s, "
    f"assd {statistics.median(times_assd):.4f} s  (hd95 {value:.4f})"
)
