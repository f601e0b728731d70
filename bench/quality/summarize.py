#!/usr/bin/env python3
"""Pools the quality benchmark's runs over training seeds: one seed's Dice moves by 0.1 on the core and from 0 to 0.2 on
the enhancing tumour at half scale, so configurations are compared by their mean over seeds and phantom sets.
Usage: python3 summarize.py RESULTS.jsonl [...] [--markdown]
A run's label CONFIG-sN (run.sh's TAG=-sN) is seed N of CONFIG; a label without -sN is seed 0 for `ours*` runs
and seed 1 for `ref*` runs (their own defaults). Prints per configuration and file the seeds and the mean Dice and
predicted/true voxel ratio per region (Dice as mean ± standard deviation over the seeds), then the mean over all
files (each phantom set weighted alike)."""
import json, re, sys
from collections import defaultdict

REG = ('WT', 'TC', 'ET')


def config_and_seed(label):
    m = re.fullmatch(r'(.*)-s(\d+)', label)
    if m:
        return m.group(1), int(m.group(2))
    return label, 1 if label.startswith('ref') else 0


def main():
    files = [a for a in sys.argv[1:] if not a.startswith('--')]
    markdown = '--markdown' in sys.argv
    if not files:
        sys.exit(__doc__)
    runs = defaultdict(lambda: defaultdict(dict))  # config -> file -> seed -> row
    for f in files:
        for line in open(f):
            if line.strip():
                row = json.loads(line)
                config, seed = config_and_seed(row['label'])
                runs[config][f][seed] = row  # a rerun of a seed replaces the earlier one
    header = ['config', 'phantoms', 'seeds'] + [f'Dice {r}' for r in REG] + [f'{r} ratio' for r in REG]
    rows = []
    for config, by_file in runs.items():
        means = []
        for f, by_seed in by_file.items():
            got = list(by_seed.values())
            mean = {k: sum(r[k] for r in got) / len(got) for k in [*REG, *(f'{r}_ratio' for r in REG)]}
            sd = {r: (sum((x[r] - mean[r]) ** 2 for x in got) / max(1, len(got) - 1)) ** 0.5 for r in REG}
            means.append(mean)
            rows.append([config, f, ' '.join(map(str, sorted(by_seed)))] + [f'{mean[r]:.3f} ± {sd[r]:.3f}' for r in REG] + [f'{mean[r + "_ratio"]:.2f}' for r in REG])
        if len(means) > 1:
            pooled = {k: sum(m[k] for m in means) / len(means) for k in means[0]}
            rows.append([config, 'all', ''] + [f'{pooled[r]:.3f}' for r in REG] + [f'{pooled[r + "_ratio"]:.2f}' for r in REG])
    if markdown:
        print('| ' + ' | '.join(header) + ' |')
        print('|' + '---|' * len(header))
        for r in rows:
            print('| ' + ' | '.join(r) + ' |')
    else:
        for r in [header] + rows:
            print('\t'.join(r))


if __name__ == '__main__':
    main()
