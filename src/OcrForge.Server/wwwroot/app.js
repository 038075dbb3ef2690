// Predicts each dropped or picked image with the chosen model, one request per image, and shows the answer with
// its confidence and the time taken. URLs are relative so the page also works behind a proxy under a sub-path.
'use strict';
const $ = selector => document.querySelector(selector);

function authHeaders() {
  const key = $('#key').value.trim();
  return key ? { Authorization: 'Bearer ' + key } : {};
}

function showStatus(text) { $('#status').textContent = text; }

async function loadModels() {
  const response = await fetch('v1/models', { headers: authHeaders() });
  if (response.status === 401) { showStatus('This server needs an API key: enter it above.'); return; }
  if (!response.ok) { showStatus('Could not list the models: HTTP ' + response.status); return; }
  const list = await response.json();
  const select = $('#model');
  select.replaceChildren(...list.models.map(
    m => new Option(`${m.name} (${m.task})`, m.name, false, m.name === list.default)));
  showStatus('');
  document.body.dataset.ready = 'true';
}

async function predict(file) {
  const row = $('#row').content.firstElementChild.cloneNode(true);
  row.querySelector('img').src = URL.createObjectURL(file);
  row.querySelector('.file').textContent = file.name;
  $('#results tbody').prepend(row);
  const form = new FormData();
  form.append('images', file, file.name);
  const started = performance.now();
  try {
    const model = encodeURIComponent($('#model').value);
    const response = await fetch(`v1/models/${model}/predict`, { method: 'POST', body: form, headers: authHeaders() });
    const elapsed = performance.now() - started;
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || 'HTTP ' + response.status);
    const result = answer.results[0];
    const confidence = result.confidence ?? result.probability;
    row.querySelector('.prediction').textContent = result.text ?? result.label;
    row.querySelector('.confidence').textContent = (100 * confidence).toFixed(1) + ' %';
    row.querySelector('.time').textContent = `${elapsed.toFixed(1)} ms (server ${answer.elapsed_ms.toFixed(1)} ms)`;
    row.dataset.state = 'done';
  } catch (error) {
    row.querySelector('.prediction').textContent = error.message;
    row.dataset.state = 'error';
  }
}

async function predictAll(files) {
  for (const file of files) await predict(file);
}

const drop = $('#drop');
drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', e => {
  e.preventDefault();
  drop.classList.remove('over');
  predictAll([...e.dataTransfer.files]);
});
$('#files').addEventListener('change', e => { predictAll([...e.target.files]); e.target.value = ''; });
$('#key').addEventListener('change', loadModels);
loadModels();
