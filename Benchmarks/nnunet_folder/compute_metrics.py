"""Times nnunetv2's compute_metrics_on_folder on a folder pair, for `segscore-bench --format nifti`.

    python compute_metrics.py GT_FOLDER PRED_FOLDER OUTPUT_JSON CLASSES

Runs `compute_metrics_on_folder(gt, pred, out, SimpleITKIO(), ".nii.gz", [1, ..., CLASSES-1])` with
nnU-Net's default number of processes (`default_num_processes`: 8, or $nnUNet_def_n_proc), exactly as
`nnUNetv2_evaluate_folder` calls it, and prints `time_s=<seconds> impl=nnunetv2 processes=<n>`: the
time of that call alone (interpreter start and imports left out, in nnU-Net's favour).

When nnunetv2 cannot be imported, the same per-file work is reproduced with SimpleITK and numpy (read
both files with SimpleITK, cast to float32 as SimpleITKIO does, per label: masks, TP/FP/FN/TN, Dice,
IoU; a multiprocessing pool of 8) and the line says `impl=simpleitk-numpy-reproduction`.
"""
import os
import sys
import time


def reproduction(gt, pred, out, labels, processes):
    import json
    from multiprocessing import get_context

    files = sorted(f for f in os.listdir(pred) if f.endswith(".nii.gz"))
    with get_context("spawn").Pool(processes) as pool:
        results = pool.starmap(_case, [(os.path.join(gt, f), os.path.join(pred, f), labels) for f in files])
    with open(out, "w") as handle:
        json.dump({"metric_per_case": results}, handle)


def _case(reference, prediction, labels):
    import numpy as np
    import SimpleITK as sitk

    ref = sitk.GetArrayFromImage(sitk.ReadImage(reference))[None].astype(np.float32)
    seg = sitk.GetArrayFromImage(sitk.ReadImage(prediction))[None].astype(np.float32)
    metrics = {}
    for r in labels:
        a = ref == r
        b = seg == r
        tp = int(np.sum(a & b))
        fp = int(np.sum(~a & b))
        fn = int(np.sum(a & ~b))
        tn = int(np.sum(~a & ~b))
        denominator = 2 * tp + fp + fn
        metrics[str(r)] = {
            "Dice": 2 * tp / denominator if denominator else float("nan"),
            "IoU": tp / (tp + fp + fn) if denominator else float("nan"),
            "TP": tp, "FP": fp, "FN": fn, "TN": tn, "n_pred": tp + fp, "n_ref": tp + fn,
        }
    return {"reference_file": reference, "prediction_file": prediction, "metrics": metrics}


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    gt, pred, out, classes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    labels = list(range(1, classes))
    try:
        from nnunetv2.configuration import default_num_processes
        from nnunetv2.evaluation.evaluate_predictions import compute_metrics_on_folder
        from nnunetv2.imageio.simpleitk_reader_writer import SimpleITKIO
    except ImportError:
        processes = int(os.environ.get("nnUNet_def_n_proc", 8))
        start = time.perf_counter()
        reproduction(gt, pred, out, labels, processes)
        seconds = time.perf_counter() - start
        print(f"time_s={seconds:.6f} impl=simpleitk-numpy-reproduction processes={processes}")
        return 0
    start = time.perf_counter()
    compute_metrics_on_folder(gt, pred, out, SimpleITKIO(), ".nii.gz", labels, None, default_num_processes, chill=True)
    seconds = time.perf_counter() - start
    print(f"time_s={seconds:.6f} impl=nnunetv2 processes={default_num_processes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
