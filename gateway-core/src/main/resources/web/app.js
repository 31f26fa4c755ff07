// The demo softphone: one page on top of passerelle.js. Every control has an id, so that a test
// can drive it; the SDK object is window.passerelle (its currentCall.pc answers getStats()).
import { Passerelle } from './passerelle.js';

const $ = (id) => document.getElementById(id);
const LEVEL_INTERVAL_MS = 200;
const QUALITY_INTERVAL_MS = 10_000;

let passerelle = null;
let call = null;

$('server').value = new URLSearchParams(location.search).get('server')
  || (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';

function log(text) {
  const item = document.createElement('li');
  item.textContent = new Date().toLocaleTimeString() + ' ' + text;
  $('log').prepend(item);
}

function render() {
  const loggedIn = Boolean(passerelle && passerelle.sessionId);
  const state = call ? call.state : 'idle';
  const live = call && state !== 'ended';
  $('login').disabled = loggedIn;
  $('logout').disabled = !loggedIn;
  $('call').disabled = !loggedIn || live;
  $('chat-send').disabled = !loggedIn;
  $('answer').disabled = !(live && call.direction === 'incoming' && state === 'ringing');
  $('reject').disabled = $('answer').disabled;
  $('hangup').disabled = !live;
  $('mute').disabled = !live;
  for (const b of document.querySelectorAll('[data-tone]')) b.disabled = !(live && state === 'active');
  $('transfer').disabled = !(live && state === 'active');
  $('mute').setAttribute('aria-pressed', String(Boolean(live && call.muted)));
  $('mute').textContent = live && call.muted ? 'Unmute' : 'Mute';
  $('hold').disabled = !(live && state === 'active');
  $('hold').setAttribute('aria-pressed', String(Boolean(live && call.held)));
  $('hold').textContent = live && call.held ? 'Resume' : 'Hold';
  $('state').value = state;
  $('peer').value = call ? (call.direction === 'incoming' ? 'from ' : 'to ') + (call.displayName || call.remote) : '';
  $('publish').disabled = !loggedIn;
  $('watch').disabled = !loggedIn;
  $('identity').value = passerelle && passerelle.identity ? passerelle.identity.user + ' (' + passerelle.identity.sipUri + ')' : 'nobody';
  $('connection').value = passerelle ? passerelle.connectionState : 'closed';
}

function track(c) {
  call = c;
  c.addEventListener('state', (e) => {
    log('call ' + (c.id || '') + ' ' + e.detail.state);
    render();
  });
  c.addEventListener('track', (e) => {
    $('remote-audio').srcObject = e.detail.stream;
  });
  c.addEventListener('ended', (e) => {
    log('ended ' + e.detail.code + ' ' + e.detail.reason + ' (' + e.detail.by + ')');
    $('in-level').value = 0;
    $('out-level').value = 0;
    render();
  });
  c.addEventListener('mute', render);
  c.addEventListener('hold', (e) => {
    log(e.detail.held ? 'on hold' : 'off hold');
    render();
  });
  c.addEventListener('dtmf', (e) => log('DTMF received: ' + e.detail.tones));
  c.addEventListener('transferred', (e) => log('transfer to ' + e.detail.to + ': ' + e.detail.status));
  c.addEventListener('error', (e) => failed('call')(e.detail.error));
  render();
}

function failed(what) {
  return (err) => {
    log(what + ' failed: ' + (err.code !== undefined ? err.code + ' ' : '') + err.message);
    render();
  };
}

function connect(url) {
  if (passerelle && passerelle.url === url) return passerelle;
  if (passerelle) passerelle.close();
  passerelle = new Passerelle({ url });
  window.passerelle = passerelle;
  passerelle.addEventListener('connection', (e) => {
    log('connection ' + e.detail.state + (e.detail.code ? ' (' + e.detail.code + ' ' + (e.detail.reason || '') + ')' : ''));
    render();
  });
  passerelle.addEventListener('session', (e) => {
    log('session ' + e.detail.state + (e.detail.replayed !== undefined ? ', ' + e.detail.replayed + ' events replayed' : ''));
    render();
  });
  passerelle.addEventListener('incoming', (e) => {
    const c = e.detail.call;
    log('incoming call from ' + (c.displayName || c.remote));
    if (call && call.state !== 'ended') {
      c.reject(486).catch(failed('reject'));
      return;
    }
    track(c);
  });
  passerelle.addEventListener('referral', (e) => {
    log('the peer transfers us to ' + e.detail.to);
    track(e.detail.call);
  });
  passerelle.addEventListener('message', (e) => chatLine(e.detail.messageId, e.detail.from, e.detail.body, ''));
  passerelle.addEventListener('messagestatus', (e) => chatStatus(e.detail.messageId, e.detail.status, e.detail.code));
  passerelle.addEventListener('data', (e) => log('data from ' + e.detail.from + ': ' + JSON.stringify(e.detail.payload)));
  passerelle.addEventListener('presence', (e) => showBuddy(e.detail.user, e.detail.status, e.detail.note));
  return passerelle;
}

// A status may come before sendMessage resolves: it waits here for its line.
const earlyStatuses = new Map();

function chatLine(messageId, who, body, status) {
  const item = document.createElement('li');
  item.dataset.messageId = messageId;
  item.textContent = who + ': ' + body + ' ';
  const state = document.createElement('output');
  state.className = 'chat-status';
  state.value = status;
  item.append(state);
  $('chat').append(item);
  return item;
}

function chatStatus(messageId, status, code) {
  const item = [...$('chat').children].find((li) => li.dataset.messageId === messageId);
  if (!item) {
    earlyStatuses.set(messageId, { status, code });
    return;
  }
  item.querySelector('.chat-status').value = status + (code ? ' (' + code + ')' : '');
}

$('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const to = $('chat-to').value.trim();
  const body = $('chat-body').value;
  passerelle.sendMessage(to, body)
    .then((r) => {
      chatLine(r.messageId, 'me → ' + to, body, 'sent');
      const early = earlyStatuses.get(r.messageId);
      earlyStatuses.delete(r.messageId);
      if (early) chatStatus(r.messageId, early.status, early.code);
      $('chat-body').value = '';
    })
    .catch(failed('message'));
});

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const p = connect($('server').value);
  p.login($('token').value, { device: navigator.userAgent })
    .then((r) => log('logged in as ' + r.identity.user))
    .catch(failed('login'))
    .finally(render);
});

$('logout').addEventListener('click', () => {
  // The session's subscriptions end with it.
  passerelle.logout().then(() => $('buddies').replaceChildren()).catch(failed('logout')).finally(render);
});

$('call-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const to = $('to').value.trim();
  log('calling ' + to);
  track(passerelle.call(to, { audio: true, video: false }));
});

$('answer').addEventListener('click', () => {
  call.answer({ audio: true, video: false }).catch(failed('answer')).finally(render);
});

$('reject').addEventListener('click', () => {
  call.reject(603).catch(failed('reject')).finally(render);
});

$('hangup').addEventListener('click', () => {
  call.hangup().catch(failed('hang up')).finally(render);
});

for (const b of document.querySelectorAll('[data-tone]')) {
  b.addEventListener('click', () => {
    call.sendDtmf(b.dataset.tone).catch(failed('DTMF'));
  });
}

$('transfer-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const to = $('transfer-to').value.trim();
  log('transferring to ' + to);
  call.transfer(to).catch(failed('transfer'));
});

$('mute').addEventListener('click', () => {
  call.mute(!call.muted);
});

$('hold').addEventListener('click', () => {
  call.hold(!call.held).catch(failed('hold')).finally(render);
});

// The buddy list: one item per watched user, data-user holding the name as subscribed; its
// status and note are the outputs #presence-<user> and #presence-note-<user>.
function buddyItem(user) {
  for (const li of $('buddies').children) if (li.dataset.user === user) return li;
  const li = document.createElement('li');
  li.dataset.user = user;
  const name = document.createElement('span');
  name.textContent = user;
  const status = document.createElement('output');
  status.className = 'status';
  status.id = 'presence-' + user;
  status.value = '…';
  const note = document.createElement('output');
  note.className = 'note';
  note.id = 'presence-note-' + user;
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = 'Stop watching';
  remove.addEventListener('click', () => {
    passerelle.unsubscribePresence(user).then(() => li.remove()).catch(failed('unsubscribe'));
  });
  li.append(name, status, note, remove);
  $('buddies').append(li);
  return li;
}

function showBuddy(user, status, note) {
  const li = buddyItem(user);
  li.querySelector('.status').value = status;
  li.querySelector('.note').value = note || '';
  log(user + ' is ' + status + (note ? ' (' + note + ')' : ''));
}

$('publish-form').addEventListener('submit', (e) => {
  e.preventDefault();
  passerelle.publishPresence($('my-status').value, $('my-note').value.trim() || undefined)
    .then(() => log('published ' + $('my-status').value))
    .catch(failed('publish'));
});

$('buddy-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const user = $('buddy').value.trim();
  buddyItem(user);
  passerelle.subscribePresence(user).catch((err) => {
    buddyItem(user).remove();
    failed('watch ' + user)(err);
  });
});

// Audio levels from the peer connection's statistics: audioLevel where Chromium reports it, else
// the RMS level over the last interval from totalAudioEnergy (W3C webrtc-stats §5.3, §5.4).
const energy = { in: null, out: null };

function level(report, key) {
  if (typeof report.audioLevel === 'number') return report.audioLevel;
  if (typeof report.totalAudioEnergy !== 'number' || typeof report.totalSamplesDuration !== 'number') return 0;
  const previous = energy[key];
  energy[key] = { e: report.totalAudioEnergy, d: report.totalSamplesDuration };
  if (!previous || report.totalSamplesDuration <= previous.d) return 0;
  return Math.sqrt((report.totalAudioEnergy - previous.e) / (report.totalSamplesDuration - previous.d));
}

setInterval(async () => {
  if (!call || call.state === 'ended' || !call.pc) return;
  const stats = await call.pc.getStats();
  stats.forEach((report) => {
    if (report.type === 'inbound-rtp' && report.kind === 'audio') $('in-level').value = level(report, 'in');
    if (report.type === 'media-source' && report.kind === 'audio') $('out-level').value = level(report, 'out');
  });
}, LEVEL_INTERVAL_MS);

// The call's quality for the gateway's call record and QoS server, every 10 s while it is up.
setInterval(() => {
  if (call && call.state === 'active') call.reportQuality().catch(failed('quality report'));
}, QUALITY_INTERVAL_MS);

render();
