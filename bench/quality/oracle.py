#!/usr/bin/env python3
"""The oracle-threshold check of README *Synthetic phantoms* on written cases: for each modality, the best single
threshold (either direction, over brain voxels: those differing from the corner value in some modality) tuned on each
case itself and on all cases pooled, scored by Dice per region (BraTS 2015 numbers: WT = 1,2,3,4; TC = 1,3,4;
ET = 4), as RealisticPhantomTests does in memory; plus each case's region volumes.
Usage: /usr/bin/python3 oracle.py DIR   (DIR holds case folders, at any depth, with *_seg.nii.gz and *_{t1,t1ce,t2,flair}.nii.gz)
Example: segan synth --difficulty realistic --labels brats2015 --cases 8 --seed 1 --out o1 && python3 oracle.py o1"""
import glob, os, sys
import numpy as np, nibabel as nib

REG = {'WT': (1, 2, 3, 4), 'TC': (1, 3, 4), 'ET': (4,)}
MODS = ['t1', 't1ce', 't2', 'flair']


def best(v, t):
    """Best Dice of `v > c` or `v <= c` over every cut c, against the boolean truth t (None when t is empty)."""
    o = np.argsort(v, kind='stable'); v = v[o]; t = t[o].astype(np.int64)
    n, total = len(v), int(t.sum())
    if total == 0:
        return None
    last = np.r_[v[1:] != v[:-1], True]          # cut only between distinct values
    below = np.cumsum(t); count = np.arange(1, n + 1)
    above = 2 * (total - below) / ((n - count) + total)
    under = 2 * below / (count + total)
    return max(above[last].max(), under[last].max())


def main():
    cases = sorted(os.path.dirname(p) for p in glob.glob(os.path.join(sys.argv[1], '**', '*_seg.nii.gz'), recursive=True))
    per_case = {}; pooled_values = {m: [] for m in MODS}; pooled_truth = []
    for case in cases:
        load = lambda pattern: np.asarray(nib.load(glob.glob(os.path.join(case, pattern))[0]).dataobj)
        seg = np.rint(load('*_seg.nii.gz')).astype(np.int8)
        images = [load(f'*_{m}.nii.gz').astype(np.float32) for m in MODS]
        brain = np.zeros(seg.shape, bool)
        for im in images:
            brain |= im != im.flat[0]
        s = seg[brain]; pooled_truth.append(s)
        cm3 = {r: np.isin(seg, labels).sum() / 1000 for r, labels in REG.items()}
        print(f"{os.path.basename(case)}: WT {cm3['WT']:.0f} cm3 ({100 * cm3['WT'] * 1000 / brain.sum():.1f} % of the brain), "
              f"TC/WT {cm3['TC'] / cm3['WT']:.2f}, ET/WT {cm3['ET'] / cm3['WT']:.2f}")
        for m, im in zip(MODS, images):
            v = im[brain]; pooled_values[m].append(v)
            for r, labels in REG.items():
                per_case.setdefault((m, r), []).append(best(v, np.isin(s, labels)))
    truth = np.concatenate(pooled_truth)
    print(f'{len(cases)} cases; best single-threshold Dice WT / TC / ET: per-case mean | highest case | one threshold for all')
    for m in MODS:
        scores = [[x for x in per_case[(m, r)] if x is not None] for r in REG]
        values = np.concatenate(pooled_values[m])
        pooled = [best(values, np.isin(truth, labels)) for labels in REG.values()]
        print(f"{m:6}", ' / '.join(f'{np.mean(x):.2f}' for x in scores), '|', ' / '.join(f'{np.max(x):.2f}' for x in scores),
              '|', ' / '.join(f'{x:.2f}' for x in pooled))


if __name__ == '__main__':
    main()
