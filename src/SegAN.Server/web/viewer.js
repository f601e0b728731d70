// The viewer page of segan serve: pick a model, load a case (files or a studies case), segment it on this server,
// and look at the label map over the image with NiiVue. Everything comes from this server; nothing from elsewhere.
import { Niivue, NVImage, SLICE_TYPE } from '/ui/niivue.js';

const $ = (id) => document.getElementById(id);
const UNUSED = '';

const state = {
  config: null,
  model: null,
  files: [], // { file, modality } for dropped or chosen files
  study: null, // a studies case from the config
  images: new Map(), // modality -> NVImage shown under the labels
  shown: null,
  overlay: null,
  result: null,
  busy: false, // segmenting
  loading: false, // reading the case's images for viewing
};

// Radiological convention (the patient's right on the viewer's left), as the reports' overlays; a green crosshair,
// a colour no label has.
const nv = new Niivue({
  backColor: [0, 0, 0, 1],
  crosshairColor: [0.2, 0.85, 0.3, 1],
  isRadiologicalConvention: true,
  show3Dcrosshair: true,
  isColorbar: false,
  dragAndDropEnabled: false,
  loadingText: '',
  logLevel: 'error',
});

// ---- start-up -----------------------------------------------------------------------------------------------

async function start() {
  await nv.attachToCanvas($('gl'));
  nv.setCrosshairWidth(0.3); // in voxels: a whole voxel hides too much of a small tumour
  nv.setSliceType(SLICE_TYPE.AXIAL);
  nv.onLocationChange = showLocation;
  let info;
  try {
    // The models as MONAI Label clients see them (/info/), with what the page needs besides (modalities, colours).
    [info, state.config] = await Promise.all([getJson('/info/'), getJson('/ui/api/config')]);
  } catch (e) {
    fail(e.message);
    return;
  }

  for (const [name, model] of Object.entries(info.models)) {
    const m = state.config.models.find((x) => x.name === name);
    if (!m) continue;
    const option = new Option(`${name}: ${m.modalities.join(', ')}`, name);
    option.title = model.description;
    $('model').add(option);
  }
  for (const s of state.config.studies) {
    $('study').add(new Option(`${s.id}${s.labelled ? ' (has ground truth)' : ''}`, s.id));
  }
  $('study-line').hidden = state.config.studies.length === 0;
  $('model').addEventListener('change', () => selectModel($('model').value));
  $('files').addEventListener('change', () => addFiles([...$('files').files]));
  $('study').addEventListener('change', () => selectStudy($('study').value));
  $('segment').addEventListener('click', segment);
  $('opacity').addEventListener('input', () => {
    if (state.overlay) nv.setOpacity(nv.volumes.indexOf(state.overlay), Number($('opacity').value));
  });
  $('shown-modality').addEventListener('change', () => show($('shown-modality').value));
  for (const b of document.querySelectorAll('#views button')) {
    b.addEventListener('click', () => setView(b.dataset.view));
  }
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    addFiles([...e.dataTransfer.files]);
  });
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') $('files').click(); });
  selectModel($('model').value);
  document.body.dataset.ready = 'true';
}

function selectModel(name) {
  state.model = state.config.models.find((m) => m.name === name) ?? null;
  if (!state.model) return;
  $('model-needs').textContent = `Needs ${state.model.modalities.length} image(s), in this order: ${state.model.modalities.join(', ')}. Labels: ${state.model.labels}.`;
  $('legend').replaceChildren(...state.model.label_values.map((l) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = l.colour;
    li.append(swatch, `${l.value} ${l.name}`);
    return li;
  }));
  // Another model may need other modalities: assign the files again.
  if (state.files.length > 0) {
    assign(state.files.map((f) => f.file));
    renderFileList();
    loadImages();
  }
  refresh();
}

// ---- loading a case -----------------------------------------------------------------------------------------

function globToRegex(pattern) {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

// The same patterns as the CLI: the naming scheme (studies layout, BraTS 2023, 2021, 2015) matching most files wins.
function assign(files) {
  const needed = state.model.modalities;
  let best = null;
  for (const family of state.config.patterns) {
    const patterns = family.modalities.filter((p) => needed.some((n) => n.toLowerCase() === p.modality.toLowerCase()));
    const matched = files.map((f) => patterns.find((p) => globToRegex(p.pattern).test(f.name)) ?? null);
    const count = matched.filter((m) => m).length;
    if (!best || count > best.count) best = { count, matched };
  }
  const taken = new Set();
  state.files = files.map((file, i) => {
    const p = best.matched[i];
    let modality = p ? needed.find((n) => n.toLowerCase() === p.modality.toLowerCase()) : UNUSED;
    if (modality && taken.has(modality)) modality = UNUSED;
    if (modality) taken.add(modality);
    return { file, modality, pattern: p?.pattern ?? null };
  });
  // Files no pattern names fill the modalities left, in order (one file for a one-modality model, say).
  for (const f of state.files.filter((x) => !x.modality)) {
    const free = needed.find((n) => !taken.has(n));
    if (!free) break;
    f.modality = free;
    taken.add(free);
  }
  $('case-name').value = caseName();
}

// A case is named as segan predict names it: the part of the file name the pattern's * stands for.
function caseName() {
  const first = state.files.find((f) => f.modality) ?? state.files[0];
  if (!first) return '';
  const p = first.pattern;
  if (p && /^\*[^*?]+$/.test(p)) {
    return first.file.name.slice(0, first.file.name.length - (p.length - 1)).replace(/[-_.]+$/, '');
  }
  return first.file.name.replace(/\.(nii\.gz|nii|mha|mhd|gz)$/i, '');
}

async function addFiles(files) {
  if (files.length === 0) return;
  state.study = null;
  $('study').value = '';
  assign(files);
  renderFileList();
  await loadImages();
}

function renderFileList() {
  const rows = state.files.map((f, i) => {
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = f.file.name;
    const select = document.createElement('select');
    select.dataset.index = String(i);
    select.setAttribute('aria-label', `modality of ${f.file.name}`);
    select.add(new Option('(not used)', UNUSED));
    for (const m of state.model.modalities) select.add(new Option(m, m));
    select.value = f.modality;
    select.addEventListener('change', () => {
      // A modality belongs to one file: the file that had it gives it up.
      for (const other of state.files) if (other !== f && other.modality === select.value) other.modality = UNUSED;
      f.modality = select.value;
      renderFileList();
      loadImages();
    });
    const cell = document.createElement('td');
    cell.append(select);
    tr.append(name, cell);
    return tr;
  });
  $('file-list').tBodies[0].replaceChildren(...rows);
  $('file-list').hidden = rows.length === 0;
  $('case-line').hidden = rows.length === 0;
  refresh();
}

async function selectStudy(id) {
  state.study = state.config.studies.find((s) => s.id === id) ?? null;
  if (!state.study) return;
  state.files = [];
  renderFileList();
  await loadImages();
}

// Loads the case's images for viewing, the model's first modality shown first.
async function loadImages() {
  clearResult();
  state.loading = true;
  refresh();
  state.images = new Map();
  const sources = [];
  if (state.study) {
    for (const [m, name] of Object.entries(state.study.files)) {
      sources.push({ modality: m, load: () => NVImage.loadFromUrl({ url: `/ui/api/studies/${enc(state.study.id)}/${enc(m)}/${enc(name)}`, name }) });
    }
  } else {
    for (const f of state.files.filter((x) => x.modality)) {
      sources.push({ modality: f.modality, load: () => NVImage.loadFromFile({ file: f.file, name: f.file.name }) });
    }
  }
  const order = state.model.modalities.map((m) => m.toLowerCase());
  sources.sort((a, b) => rank(order, a.modality) - rank(order, b.modality));
  const problems = [];
  for (const s of sources) {
    try {
      state.images.set(s.modality, await s.load());
    } catch (e) {
      problems.push(`${s.modality}: cannot display (${e.message ?? e})`);
    }
  }
  $('shown-modality').replaceChildren(...[...state.images.keys()].map((m) => new Option(m, m)));
  status(problems.join('; '));
  show(state.images.keys().next().value ?? null);
  state.loading = false;
  refresh();
}

function rank(order, modality) {
  const i = order.indexOf(modality.toLowerCase());
  return i < 0 ? order.length : i;
}

function show(modality) {
  state.shown = modality;
  while (nv.volumes.length > 0) nv.removeVolume(nv.volumes[0]);
  const image = modality ? state.images.get(modality) : null;
  if (image) nv.addVolume(image);
  if (image && state.overlay) {
    nv.addVolume(state.overlay);
    nv.setOpacity(nv.volumes.indexOf(state.overlay), Number($('opacity').value));
  }
  if (modality) $('shown-modality').value = modality;
  nv.drawScene();
}

// ---- segmenting ---------------------------------------------------------------------------------------------

function refresh() {
  const ready = state.model && (state.study || state.model.modalities.every((m) => state.files.some((f) => f.modality === m)));
  $('segment').disabled = !ready || state.busy || state.loading;
}

async function segment() {
  hideError();
  clearResult();
  const model = state.model;
  let url = `/ui/api/segment/${enc(model.name)}`;
  let body = null;
  if (state.study) {
    url += `?study=${enc(state.study.id)}`;
  } else {
    body = new FormData();
    body.append('case', $('case-name').value.trim());
    for (const m of model.modalities) {
      const f = state.files.find((x) => x.modality === m);
      body.append(m, f.file, f.file.name);
    }
  }

  state.busy = true;
  refresh();
  const progress = $('progress');
  progress.hidden = false;
  progress.removeAttribute('value');
  try {
    const result = await post(url, body, (fraction) => {
      if (fraction < 1) {
        progress.value = fraction;
        status(`uploading ${Math.round(fraction * 100)} %`);
      } else {
        progress.removeAttribute('value');
        status(`segmenting with ${model.name}…`);
      }
    });
    await showResult(result);
    status(`${result.case} segmented in ${result.seconds.toFixed(1)} s`);
  } catch (e) {
    status('');
    fail(e.message);
  } finally {
    state.busy = false;
    progress.hidden = true;
    refresh();
  }
}

// XMLHttpRequest rather than fetch: it reports the upload's progress.
function post(url, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.upload.onload = () => onProgress(1);
    xhr.onload = () => {
      let json = null;
      try { json = JSON.parse(xhr.responseText); } catch { /* not JSON: said below */ }
      if (xhr.status >= 200 && xhr.status < 300 && json) resolve(json);
      else reject(new Error(json?.error ?? `HTTP ${xhr.status} ${xhr.statusText}`));
    };
    xhr.onerror = () => reject(new Error('the server did not answer'));
    onProgress(body ? 0 : 1);
    xhr.send(body);
  });
}

async function getJson(url) {
  const response = await fetch(url);
  const json = await response.json().catch(() => null);
  if (!response.ok) throw new Error(json?.error ?? `HTTP ${response.status}`);
  return json;
}

async function showResult(result) {
  const overlay = await NVImage.loadFromUrl({ url: result.url, name: result.file });
  const values = state.model.label_values;
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  overlay.setColormapLabel({
    R: [0, ...values.map((v) => rgb(v.colour)[0])],
    G: [0, ...values.map((v) => rgb(v.colour)[1])],
    B: [0, ...values.map((v) => rgb(v.colour)[2])],
    A: [0, ...values.map(() => 255)],
    I: [0, ...values.map((v) => v.value)],
    labels: ['background', ...values.map((v) => v.name)],
  });
  state.overlay = overlay;
  state.result = result;
  show(state.shown);
  if (result.focus && nv.volumes.length > 0) {
    // Start where the tumour is largest, not in the middle of the head.
    nv.scene.crosshairPos = nv.vox2frac(result.focus);
    nv.createOnLocationChange();
    nv.drawScene();
  }

  const rows = result.regions.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.region = r.name;
    const cells = [r.name, String(r.voxels), r.ml.toFixed(2), r.dice == null ? '' : r.dice.toFixed(3)];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  });
  $('volumes').tBodies[0].replaceChildren(...rows);
  for (const cell of document.querySelectorAll('#volumes .dice, #volumes td:nth-child(4)')) cell.hidden = !result.has_truth;
  const link = $('download');
  link.href = result.url;
  link.download = result.file;
  link.textContent = `download ${result.file}`;
  $('results').hidden = false;
  $('gl').dataset.overlay = 'ready';
}

function clearResult() {
  state.result = null;
  $('results').hidden = true;
  delete $('gl').dataset.overlay;
  if (state.overlay) {
    state.overlay = null;
    show(state.shown);
  }
}

// ---- viewing ------------------------------------------------------------------------------------------------

function setView(view) {
  const types = {
    axial: SLICE_TYPE.AXIAL,
    coronal: SLICE_TYPE.CORONAL,
    sagittal: SLICE_TYPE.SAGITTAL,
    render: SLICE_TYPE.RENDER,
    multiplanar: SLICE_TYPE.MULTIPLANAR,
  };
  nv.setSliceType(types[view]);
  for (const b of document.querySelectorAll('#views button')) b.setAttribute('aria-pressed', String(b.dataset.view === view));
}

function showLocation(location) {
  const vox = location.vox ?? [];
  let text = `voxel (${[...vox].map((v) => Math.round(v)).join(', ')})`;
  const i = state.overlay ? nv.volumes.indexOf(state.overlay) : -1;
  if (i >= 0 && location.values?.[i]) {
    const value = Math.round(location.values[i].value);
    const name = value === 0 ? 'background' : state.model.label_values.find((l) => l.value === value)?.name ?? '?';
    text += ` · label ${value} ${name}`;
  }
  $('location').textContent = text;
}

// ---- messages -----------------------------------------------------------------------------------------------

function status(text) { $('status').textContent = text; }

function fail(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

function hideError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

function enc(text) { return encodeURIComponent(text); }

start();
