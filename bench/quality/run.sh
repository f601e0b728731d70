#!/usr/bin/env bash
# The quality benchmark (issue: defaults that learn in short budgets): trains S3-3C and the U-Net baseline with
# `segan train` (our defaults, and the paper's optimiser) and with the PyTorch yardstick (yardstick.py) on the same
# realistic phantoms, FLAIR + T1c, four training cases and two test cases, then scores every run's test label maps
# with one scorer (score.py): Dice per region and the predicted/true voxel ratio.
#
# Usage: bench/quality/run.sh OUT_DIR [config ...]
#   configs: ours ours-paper ours-unet ref ref-unet (default: all five)
# Environment: STEPS (300), BATCH (16), WIDTH (64, the paper's), CROP (160, the training crop), SEED (0, phantoms),
#   SIZE (240x240x155, the phantoms' shape), GRID (our prepared grid XxYxZ; default: segan train's),
#   THREADS (2), EXTRA (extra `segan train` options, for ablations), REF_EXTRA (extra yardstick.py options, e.g.
#   --seed 2), TAG (appended to each config's label and folder, to keep runs apart in one OUT_DIR), SEGAN (the segan
#   command; default: this clone's Release build through `dotnet`), PYTHON (/usr/bin/python3 with torch, nibabel).
# Writes OUT_DIR/data (the phantoms, in the yardstick's train/validation/test layout), OUT_DIR/<config>/ (run folder,
# predictions, log) and appends one JSON line per config to OUT_DIR/results.jsonl, then prints them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:?usage: run.sh OUT_DIR [config ...]}
shift
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(ours ours-paper ours-unet ref ref-unet)
STEPS=${STEPS:-300} BATCH=${BATCH:-16} WIDTH=${WIDTH:-64} CROP=${CROP:-160} GRID=${GRID:-} SEED=${SEED:-0} SIZE=${SIZE:-240x240x155} THREADS=${THREADS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}
if [ -z "${SEGAN:-}" ]; then
  dotnet build "$root/src/SegAN.Cli" -c Release -v q -nologo >/dev/null
  SEGAN="dotnet $root/src/SegAN.Cli/bin/Release/net10.0/SegAN.Cli.dll"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
data=$out/data
layout=(--modality 'FLAIR=*_flair.nii.gz' --modality 'T1c=*_t1ce.nii.gz' --seg '*_seg.nii.gz' --labels brats2015)
if [ ! -d "$data/test" ]; then
  $SEGAN synth --out "$data" --difficulty realistic --shape "$SIZE" --labels brats2015 --split 4,0,2 --seed "$SEED"
fi
{ lscpu | grep -E 'Model name|^CPU\(s\)'; grep -o -w -E 'avx512f|avx512_bf16|avx2' /proc/cpuinfo | sort -u | tr '\n' ' '; echo; uptime; } > "$out/machine.txt"

for config in "${configs[@]}"; do
  dir=$out/$config${TAG:-}
  rm -rf "$dir"
  mkdir -p "$dir"
  start=$(date +%s)
  case $config in
    ours|ours-paper|ours-unet)
      args=(--steps "$STEPS" --batch "$BATCH" --width "$WIDTH" --slice-size "$CROP" --val-every "$STEPS" --threads "$THREADS")
      [ -n "$GRID" ] && args+=(--crop "$GRID")
      [ "$config" = ours-paper ] && args+=(--optimizer rmsprop --lr 2e-5)
      [ "$config" = ours-unet ] && args+=(--variant unet)
      # shellcheck disable=SC2086
      $SEGAN train --data "$data/train" --out "$dir/run" "${layout[@]}" "${args[@]}" ${EXTRA:-} > "$dir/train.log" 2>&1
      trained=$(date +%s)
      $SEGAN predict -m "$dir/run/model.segan" -i "$data/test" -o "$dir/pred" "${layout[@]}" --threads "$THREADS" > "$dir/predict.log" 2>&1
      ;;
    ref|ref-unet)
      variant=s3-3c
      [ "$config" = ref-unet ] && variant=unet
      "$PYTHON" "$here/yardstick.py" "$data" --steps "$STEPS" --batch "$BATCH" --width "$WIDTH" --crop "$CROP" --variant "$variant" \
        --threads "$THREADS" --save "$dir/pred" ${REF_EXTRA:-} > "$dir/train.log" 2>&1
      trained=$(date +%s)
      ;;
    *) echo "unknown config $config" >&2; exit 2 ;;
  esac
  end=$(date +%s)
  score=$("$PYTHON" "$here/score.py" "$dir/pred" "$data/test" --label "$config${TAG:-}")
  echo "${score%\}}, \"train_s\": $((trained - start)), \"total_s\": $((end - start)), \"steps\": $STEPS, \"batch\": $BATCH, \"width\": $WIDTH, \"crop\": $CROP, \"size\": \"$SIZE\", \"extra\": \"${EXTRA:-}\", \"ref_extra\": \"${REF_EXTRA:-}\"}" | tee -a "$out/results.jsonl"
done
