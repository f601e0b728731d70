#!/usr/bin/env python3
"""Scores label maps against the truth the way the quality benchmark reports them: per region (BraTS 2015
numbers: WT = 1,2,3,4; TC = 1,3,4; ET = 4) the mean Dice over the test cases (1 when both are empty) and the
predicted/true voxel ratio over all of them (above 1: over-segmentation).
Usage: /usr/bin/python3 score.py PRED_DIR TEST_DIR [--seg '*_seg.nii.gz'] [--label NAME]
PRED_DIR holds CASE_seg.nii.gz for each case folder CASE of TEST_DIR. Prints one JSON line."""
import argparse, glob, json, os, sys
import numpy as np, nibabel as nib

REG = {'WT': (1, 2, 3, 4), 'TC': (1, 3, 4), 'ET': (4,)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('pred'); ap.add_argument('test'); ap.add_argument('--seg', default='*_seg.nii.gz'); ap.add_argument('--label', default='')
    a = ap.parse_args()
    dice = {r: [] for r in REG}; vox = {r: [0, 0] for r in REG}
    for case in sorted(glob.glob(os.path.join(a.test, '*'))):
        name = os.path.basename(case)
        truth = np.rint(np.asarray(nib.load(glob.glob(os.path.join(case, a.seg))[0]).dataobj)).astype(np.int64)
        path = os.path.join(a.pred, name + '_seg.nii.gz')
        if not os.path.exists(path):
            sys.exit(f'{path}: missing prediction')
        pred = np.rint(np.asarray(nib.load(path).dataobj)).astype(np.int64)
        if pred.shape != truth.shape:
            sys.exit(f'{path}: shape {pred.shape} differs from the truth {truth.shape}')
        for r, labels in REG.items():
            p, t = np.isin(pred, labels), np.isin(truth, labels)
            s = p.sum() + t.sum()
            dice[r].append(1.0 if s == 0 else 2 * (p & t).sum() / s)
            vox[r][0] += int(p.sum()); vox[r][1] += int(t.sum())
    print(json.dumps({'label': a.label, 'cases': len(dice['WT']),
                      **{r: round(float(np.mean(v)), 3) for r, v in dice.items()},
                      **{f'{r}_ratio': round(v[0] / max(1, v[1]), 3) for r, v in vox.items()}}))


if __name__ == '__main__':
    main()
