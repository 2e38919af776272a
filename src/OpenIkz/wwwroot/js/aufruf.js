// The waiting-room display (/Aufruf/{id}): each call arrives as a server-sent event and is put on top of the table; no
// polling. EventSource reconnects by itself after a network break.
(function () {
  'use strict';
  var root = document.querySelector('[data-calls]');
  if (!root || typeof EventSource === 'undefined') return;
  var body = document.getElementById('aufrufe');
  var hint = root.querySelector('.oikz-no-js-hint');
  if (hint) hint.hidden = true;
  var source = new EventSource(root.getAttribute('data-calls'));
  source.addEventListener('call', function (e) {
    var call;
    try { call = JSON.parse(e.data); } catch (err) { return; }
    var row = document.createElement('tr');
    row.className = 'kern-table__row oikz-call-new';
    var code = document.createElement('th');
    code.scope = 'row';
    code.className = 'kern-table__header';
    code.textContent = call.code;
    var counter = document.createElement('td');
    counter.className = 'kern-table__cell';
    counter.textContent = call.counter;
    var time = document.createElement('td');
    time.className = 'kern-table__cell';
    time.textContent = new Date(call.at).toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' });
    row.appendChild(code); row.appendChild(counter); row.appendChild(time);
    body.insertBefore(row, body.firstChild);
    while (body.children.length > 8) body.removeChild(body.lastChild);
  });
})();
