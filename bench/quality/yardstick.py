#!/usr/bin/env python3
"""The quality yardstick: the paper's network in PyTorch trained the plain way, as the team's reference
`quality_ref_train.py` (shared/reference) does it, step for step, with four additions for the quality benchmark:
--width (the paper's 64 by default; smaller for quick ablations), --crop (the training crop's side, 160 by default), --threads, and --save DIR (the test predictions as
CASE_seg.nii.gz in BraTS 2015 labels, region-nested as `segan predict` writes them, so both trainers are scored by
one scorer, score.py). It prints the same JSON line as the reference plus the predicted/true voxel ratios.

Usage: /usr/bin/python3 yardstick.py DATA_DIR --steps 300 --variant s3-3c|unet [--width 64] [--save DIR]
       [--modalities '*_flair.nii.gz,*_t1ce.nii.gz'] [--seg '*_seg.nii.gz'] [--lr 2e-4] [--dice 1] [--threads 2]
DATA_DIR holds train/, validation/ and test/ case folders (train and validation are both trained on).
What it does: background = voxels equal to the volume's corner value in every modality, set to 0; brain z-scored per
modality; every slice holding brain is a training slice; random 160x160 crops anywhere in the slice, a left-right
flip with probability 1/2; Adam (beta1 0.5) for segmentor and critics, critic weights clipped to 0.05, multi-scale
L1 + soft Dice (pooled over the batch and the three regions) for the segmentor; at test the whole slice, threshold
0.5, no masking."""
import argparse, glob, json, os, sys, time
import numpy as np, nibabel as nib, torch, torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'SegAN.Bench'))
from segan_torch_ref import Segmentor, Critic, loss_all  # the paper's networks, width as a parameter

REG = {'WT': (1, 2, 3, 4), 'TC': (1, 3, 4), 'ET': (4,)}
MODS, SEG = ['*_flair.nii.gz', '*_t1ce.nii.gz'], '*_seg.nii.gz'


def find(d, pattern):
    hits = glob.glob(os.path.join(d, pattern))
    if len(hits) != 1:
        sys.exit(f'{d}: {len(hits)} files match {pattern}')
    return hits[0]


def load_case(d):
    ims = [np.asarray(nib.load(find(d, p)).dataobj, np.float32) for p in MODS]
    lab = np.rint(np.asarray(nib.load(find(d, SEG)).dataobj)).astype(np.int64)
    x = np.stack(ims)                                    # C, X, Y, Z
    bg = np.stack([(im == im[0, 0, 0]) for im in ims]).all(0)
    for c in range(x.shape[0]):                          # background to 0, brain z-scored
        v = x[c][~bg]; x[c] = np.where(bg, 0, (x[c] - v.mean()) / (v.std() + 1e-6))
    y = np.stack([np.isin(lab, l) for l in REG.values()]).astype(np.float32)
    return x, y, ~bg


def slices(x, y, brain):
    keep = brain.reshape(-1, brain.shape[2]).any(0)
    return [(x[:, :, :, z], y[:, :, :, z]) for z in range(x.shape[3]) if keep[z]]


def pad_to(a, m):  # zero-pad the last two axes to multiples of m (the reference needs 240, already one)
    ph, pw = (-a.shape[-2]) % m, (-a.shape[-1]) % m
    return np.pad(a, [(0, 0)] * (a.ndim - 2) + [(0, ph), (0, pw)]) if ph or pw else a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('root'); ap.add_argument('--steps', type=int, default=300); ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--variant', default='s3-3c'); ap.add_argument('--lr', type=float, default=2e-4); ap.add_argument('--dice', type=float, default=1.0)
    ap.add_argument('--modalities', default=','.join(MODS)); ap.add_argument('--seg', default=SEG)
    ap.add_argument('--width', type=int, default=64); ap.add_argument('--threads', type=int, default=2); ap.add_argument('--save')
    ap.add_argument('--seed', type=int, default=1); ap.add_argument('--crop', type=int, default=160)
    a = ap.parse_args(); MODS[:] = a.modalities.split(','); globals()['SEG'] = a.seg
    torch.manual_seed(a.seed); rng = np.random.default_rng(a.seed); torch.set_num_threads(a.threads)
    train = [c for s in ('train', 'validation') for c in sorted(glob.glob(os.path.join(a.root, s, '*')))]
    test = sorted(glob.glob(os.path.join(a.root, 'test', '*')))
    pool = [s for c in train for s in slices(*load_case(c))]
    S = Segmentor(len(MODS), 3, a.width); Cs = torch.nn.ModuleList([Critic(len(MODS), a.width) for _ in range(3)])
    oS = torch.optim.Adam(S.parameters(), a.lr, betas=(0.5, 0.999)); oC = torch.optim.Adam(Cs.parameters(), a.lr, betas=(0.5, 0.999))
    t0 = time.time()
    for step in range(a.steps):
        idx = rng.integers(0, len(pool), a.batch); xs, ys = [], []
        for i in idx:
            x, y = pool[i]; k = a.crop; ox, oy = rng.integers(0, x.shape[1] - k + 1), rng.integers(0, x.shape[2] - k + 1)
            x, y = x[:, ox:ox + k, oy:oy + k], y[:, ox:ox + k, oy:oy + k]
            if rng.random() < 0.5: x, y = x[:, ::-1], y[:, ::-1]
            xs.append(np.ascontiguousarray(x)); ys.append(np.ascontiguousarray(y))
        x, y = torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys))
        if a.variant == 'unet':
            oS.zero_grad(); p = S(x); loss = F.binary_cross_entropy(p, y) + a.dice * (1 - (2 * (p * y).sum() + 1) / (p.sum() + y.sum() + 1)); loss.backward(); oS.step()
        else:
            with torch.no_grad(): p = S(x)
            oC.zero_grad(); (-loss_all(Cs, x, p, y)).backward(); oC.step()
            with torch.no_grad():
                for q in Cs.parameters(): q.clamp_(-0.05, 0.05)
            oS.zero_grad(); p = S(x)
            loss = loss_all(Cs, x, p, y) + a.dice * (1 - (2 * (p * y).sum() + 1) / (p.sum() + y.sum() + 1)); loss.backward(); oS.step()
        if step % 25 == 0: print(f'step {step} loss {loss.item():.4f} {time.time() - t0:.0f}s', flush=True)
    train_s = time.time() - t0
    S.eval(); res = {r: [] for r in REG}; vox = {r: [0, 0] for r in REG}
    with torch.no_grad():
        for c in test:
            x, y, _ = load_case(c)
            xs = torch.from_numpy(np.ascontiguousarray(pad_to(x.transpose(3, 0, 1, 2), 16)))
            p = torch.cat([S(xs[i:i + 16]) for i in range(0, xs.shape[0], 16)]).numpy()[:, :, :x.shape[1], :x.shape[2]].transpose(1, 2, 3, 0) > 0.5
            for k, r in enumerate(REG):
                a_, b_ = p[k], y[k] > 0.5; res[r].append(2 * (a_ & b_).sum() / max(1, a_.sum() + b_.sum()))
                vox[r][0] += int(a_.sum()); vox[r][1] += int(b_.sum())
            if a.save:
                os.makedirs(a.save, exist_ok=True)
                lab = np.zeros(p.shape[1:], np.uint8)  # nested by union, BraTS 2015 numbers: WT-only 2, TC 1, ET 4
                lab[p[0] | p[1] | p[2]] = 2; lab[p[1] | p[2]] = 1; lab[p[2]] = 4
                ref = nib.load(find(c, SEG))
                nib.save(nib.Nifti1Image(lab, ref.affine, ref.header), os.path.join(a.save, os.path.basename(c) + '_seg.nii.gz'))
    print(json.dumps({'variant': a.variant, 'steps': a.steps, 'batch': a.batch, 'lr': a.lr, 'width': a.width, 'seconds': round(time.time() - t0), 'train_seconds': round(train_s),
                      **{r: round(float(np.mean(v)), 3) for r, v in res.items()},
                      **{f'{r}_ratio': round(v[0] / max(1, v[1]), 3) for r, v in vox.items()}}))


if __name__ == '__main__':
    main()
