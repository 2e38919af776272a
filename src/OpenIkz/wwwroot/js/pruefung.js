// Solves the proof-of-work challenge of a booking form in a worker (pruefung-worker.js) as soon as the page is shown,
// and fills in the hidden field. A form sent before the answer is there waits for it and is then sent by itself.
'use strict';

(() => {
  const form = document.querySelector('form[data-challenge]');
  if (!form || !form.dataset.challenge) return;
  const field = form.querySelector('[data-challenge-solution]');
  const status = form.querySelector('[data-challenge-status]');
  let solved = false;
  let waiting = false;

  const done = (solution) => {
    field.value = solution;
    solved = true;
    status.textContent = 'Die Sicherheitsprüfung ist erledigt.';
    if (waiting) form.requestSubmit ? form.requestSubmit() : form.submit();
  };

  const worker = new Worker(document.currentScript.src.replace(/pruefung\.js(\?.*)?$/, 'pruefung-worker.js'));
  worker.onmessage = (event) => done(event.data.solution);
  worker.onerror = () => { status.textContent = 'Die Sicherheitsprüfung konnte nicht rechnen. Bitte laden Sie die Seite neu.'; };
  worker.postMessage({ token: form.dataset.challenge, difficulty: Number(form.dataset.difficulty) });

  form.addEventListener('submit', (event) => {
    if (solved) return;
    event.preventDefault();
    waiting = true;
    status.textContent = 'Einen Moment bitte: die Sicherheitsprüfung läuft noch, danach wird das Formular gesendet.';
  });
})();

