// Passerelle JS SDK: the browser side of the passerelle.v1 protocol (docs/protocol.md), as one
// ES module with no dependency and no build step. Types: passerelle.d.ts. Guide: docs/sdk.md.

export const SUBPROTOCOL = 'passerelle.v1';

const DEFAULTS = Object.freeze({
  requestTimeoutMs: 15000,
  ackIntervalMs: 2000,
  iceGatheringTimeoutMs: 10000,
  reconnectMinDelayMs: 250,
  reconnectMaxDelayMs: 8000,
  // The contract keeps a dropped session for session.resumeWindow (60 s by default); trying
  // longer than that can only end in 403.
  reconnectGiveUpMs: 60000,
  // A SIP peer's transfer request (call.referred) is followed with a new call at once.
  followReferrals: true,
});

// Client-side failures reuse the protocol's status family so that callers handle one kind of code.
const CONNECTION_LOST = 503;
const TIMEOUT = 408;

/** An error answered by the gateway ({code, message} of JSON-RPC) or met by the SDK itself. */
export class PasserelleError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'PasserelleError';
    this.code = code;
  }
}

function event(type, detail) {
  return new CustomEvent(type, { detail });
}

/** The most streams one qos.report may carry (docs/protocol.md). */
const MAX_QUALITY_STREAMS = 16;

/**
 * One qos.report entry per inbound-rtp and outbound-rtp statistic (W3C webrtc-stats §8.3, §8.5):
 * what was received from its inbound-rtp, what was sent from its outbound-rtp plus the far end's
 * view of it (remote-inbound-rtp: loss, jitter, round trip), the round trip of the selected
 * candidate pair where no RTCP gave one. Times are turned from seconds into milliseconds; a
 * figure the browser does not have is left out. No MOS is estimated.
 */
function qualityOf(stats) {
  const byId = new Map();
  stats.forEach((r) => byId.set(r.id, r));
  const count = (v) => (Number.isInteger(v) && v >= 0 ? v : undefined);
  const ms = (v) => (typeof v === 'number' && v >= 0 && Number.isFinite(v) ? v * 1000 : undefined);
  let pairRtt;
  stats.forEach((r) => {
    if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pairRtt = ms(r.currentRoundTripTime);
  });
  const streams = [];
  stats.forEach((r) => {
    if ((r.type !== 'inbound-rtp' && r.type !== 'outbound-rtp') || (r.kind !== 'audio' && r.kind !== 'video')) return;
    const inbound = r.type === 'inbound-rtp';
    const codec = byId.get(r.codecId);
    const remote = inbound ? undefined : byId.get(r.remoteId);
    const s = {
      kind: r.kind,
      direction: inbound ? 'inbound' : 'outbound',
      codec: codec && codec.mimeType ? codec.mimeType.split('/')[1] : undefined,
      packets: count(inbound ? r.packetsReceived : r.packetsSent),
      // RFC 3550 §6.4.1: may be negative when duplicates arrived.
      packetsLost: Number.isInteger(inbound ? r.packetsLost : remote && remote.packetsLost)
        ? (inbound ? r.packetsLost : remote.packetsLost) : undefined,
      bytes: count(inbound ? r.bytesReceived : r.bytesSent),
      jitterMs: ms(inbound ? r.jitter : remote && remote.jitter),
      roundTripMs: (remote && ms(remote.roundTripTime)) ?? pairRtt,
    };
    for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
    if (s.codec && s.codec.length > 32) delete s.codec;
    if (streams.length < MAX_QUALITY_STREAMS) streams.push(s);
  });
  return streams;
}

function defaultUrl() {
  const l = globalThis.location;
  if (!l || !l.host) {
    throw new PasserelleError(-32602, 'url is required outside a page served over http(s)');
  }
  return (l.protocol === 'https:' ? 'wss://' : 'ws://') + l.host + '/ws';
}

/**
 * A session with a Passerelle gateway over one WebSocket at a time: requests, events in seq
 * order without duplicates, periodic session.ack, and resume with backoff when the socket drops.
 */
export class Passerelle extends EventTarget {
  constructor(options = {}) {
    super();
    this.url = options.url || defaultUrl();
    this.options = { ...DEFAULTS, ...options };
    this.socket = null;
    this.connectionState = 'closed';
    this.sessionId = null;
    this.resumeToken = null;
    this.identity = null;
    this.iceServers = [];
    this.lastSeq = 0;
    this.calls = new Map();
    this._ackedSeq = 0;
    this._nextId = 1;
    this._pending = new Map();
    this._orphans = [];
    this._invitesInFlight = 0;
    this._wanted = false;
    this._reconnecting = null;
    this._ackTimer = null;
  }

  /** Opens a Passerelle on `url` (default: this page's host, path /ws) and waits for the socket. */
  static async connect(url, options = {}) {
    const p = new Passerelle({ ...options, url });
    await p.open();
    return p;
  }

  /** The most recent call that has not ended, or null. */
  get currentCall() {
    let current = null;
    for (const c of this.calls.values()) {
      if (c.state !== 'ended') current = c;
    }
    return current;
  }

  /** Opens the socket if it is not open; resolves once it is. */
  open() {
    this._wanted = true;
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return Promise.resolve();
    return this._openSocket();
  }

  async login(token, { device } = {}) {
    await this.open();
    const params = { token };
    if (device !== undefined) params.device = device;
    const result = await this.request('session.login', params);
    this.sessionId = result.sessionId;
    this.resumeToken = result.resumeToken;
    this.identity = result.identity;
    this.iceServers = result.iceServers || [];
    this.lastSeq = 0;
    this._ackedSeq = 0;
    this._startAcks();
    this.dispatchEvent(event('session', { state: 'loggedin', identity: this.identity }));
    return result;
  }

  /**
   * Re-attaches the session after a drop: session.resume with the last seq seen. The gateway
   * replays what was missed before answering; those events pass through the normal path, where
   * seq filters duplicates. Called automatically when the socket drops.
   */
  async resume() {
    if (!this.resumeToken) throw new PasserelleError(401, 'no session to resume');
    await this.open();
    const result = await this.request('session.resume', { resumeToken: this.resumeToken, lastSeq: this.lastSeq });
    this.sessionId = result.sessionId;
    this._startAcks();
    this.dispatchEvent(event('session', { state: 'resumed', replayed: result.replayed }));
    return result;
  }

  async logout() {
    await this.request('session.logout', {});
    this._forgetSession('loggedout');
  }

  /** Closes the socket for good: no resume follows. The session ends with its resume window. */
  close() {
    this._wanted = false;
    this._stopAcks();
    if (this.socket) this.socket.close(1000, 'client closed');
    this._setConnection('closed');
  }

  /**
   * Places a call. The Call is returned at once in state `calling`; `call.invited` settles when
   * the gateway has taken the invite. A failure before that (media refused, 404, 480 …) ends the
   * call with the error's code.
   */
  call(to, options = {}) {
    const c = new Call(this, { direction: 'outgoing', remote: to });
    this._placeCall(c, to, options);
    return c;
  }

  /**
   * message.send: resolves with {messageId} once the gateway took the message; its outcome comes
   * as a `messagestatus` event naming that id, which may arrive before this resolves.
   */
  sendMessage(to, body, contentType) {
    const params = { to, body };
    if (contentType) params.contentType = contentType;
    return this.request('message.send', params);
  }

  /** data.send: any JSON value to every session of a web user; resolves once it is delivered. */
  sendData(to, payload) {
    return this.request('data.send', { to, payload: payload === undefined ? null : payload });
  }

  /** Any method of the protocol; resolves with its result, rejects with a PasserelleError. */
  request(method, params) {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new PasserelleError(CONNECTION_LOST, 'not connected'));
    }
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new PasserelleError(TIMEOUT, method + ': no answer within ' + this.options.requestTimeoutMs + ' ms'));
      }, this.options.requestTimeoutMs);
      this._pending.set(id, { resolve, reject, timer, method });
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  notify(method, params) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
    }
  }
  /** presence.publish: status is 'available', 'away', 'busy' or 'offline'; note is optional. */
  publishPresence(status, note) {
    const params = { status };
    if (note) params.note = note;
    return this.request('presence.publish', params);
  }

  /** presence.subscribe: 'presence' events for `to` follow, the current state first. */
  subscribePresence(to) {
    return this.request('presence.subscribe', { to });
  }

  /** presence.unsubscribe. */
  unsubscribePresence(to) {
    return this.request('presence.unsubscribe', { to });
  }


  // ------------------------------------------------------------------ socket

  _openSocket() {
    if (this._opening) return this._opening;
    this._setConnection(this._reconnecting ? 'reconnecting' : 'connecting');
    this._opening = new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, SUBPROTOCOL);
      this.socket = socket;
      socket.onopen = () => {
        this._opening = null;
        this._setConnection('open');
        resolve();
      };
      socket.onmessage = (m) => this._onFrame(m.data);
      socket.onclose = (e) => {
        if (this._opening && this.socket === socket) {
          this._opening = null;
          reject(new PasserelleError(CONNECTION_LOST, 'cannot connect to ' + this.url + ' (close ' + e.code + ')'));
        }
        this._onClose(socket, e);
      };
    });
    return this._opening;
  }

  _onClose(socket, e) {
    if (this.socket !== socket) return;
    this.socket = null;
    for (const [id, p] of this._pending) {
      clearTimeout(p.timer);
      p.reject(new PasserelleError(CONNECTION_LOST, p.method + ': connection lost before the answer'));
      this._pending.delete(id);
    }
    this._stopAcks();
    this._setConnection('closed', { code: e.code, reason: e.reason });
    // 1000 "session resumed on another connection": another tab or device took the session over;
    // fighting back would bounce the session between them.
    const takenOver = e.code === 1000 && /resumed on another connection/.test(e.reason || '');
    if (takenOver) {
      this._forgetSession('taken-over');
      return;
    }
    if (this._wanted && this.resumeToken && !this._reconnecting) {
      this._reconnecting = this._reconnect();
    }
  }

  async _reconnect() {
    const started = Date.now();
    let delay = this.options.reconnectMinDelayMs;
    try {
      while (this._wanted && this.resumeToken) {
        await new Promise((r) => setTimeout(r, delay * (0.75 + Math.random() / 2)));
        if (!this._wanted) return;
        try {
          await this._openSocket();
          await this.resume();
          return;
        } catch (err) {
          // 403: the gateway forgot the session (window over, or a gap); nothing to resume.
          if (err instanceof PasserelleError && (err.code === 403 || err.code === 401)) {
            this._forgetSession('lost', err);
            return;
          }
          if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, 'resume failed');
        }
        if (Date.now() - started > this.options.reconnectGiveUpMs) {
          this._forgetSession('lost', new PasserelleError(CONNECTION_LOST, 'could not reconnect'));
          return;
        }
        delay = Math.min(delay * 2, this.options.reconnectMaxDelayMs);
      }
    } finally {
      this._reconnecting = null;
    }
  }

  _setConnection(state, detail = {}) {
    if (this.connectionState === state) return;
    this.connectionState = state;
    this.dispatchEvent(event('connection', { state, ...detail }));
  }

  _forgetSession(state, error) {
    this._stopAcks();
    this.sessionId = null;
    this.resumeToken = null;
    for (const c of this.calls.values()) {
      c._end({ code: 480, reason: 'session ' + state, by: 'local' });
    }
    this.dispatchEvent(event('session', { state, error }));
  }

  _startAcks() {
    this._stopAcks();
    this._ackTimer = setInterval(() => this._ack(), this.options.ackIntervalMs);
  }

  _stopAcks() {
    if (this._ackTimer) clearInterval(this._ackTimer);
    this._ackTimer = null;
  }

  // Acknowledges only what was handled: the gateway may then forget it (protocol §5), and a later
  // resume sends lastSeq ≥ the ack, as the protocol requires.
  _ack() {
    if (this.sessionId && this.lastSeq > this._ackedSeq) {
      this.notify('session.ack', { seq: this.lastSeq });
      this._ackedSeq = this.lastSeq;
    }
  }

  // ------------------------------------------------------------------ frames

  _onFrame(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      this.dispatchEvent(event('error', { error: new PasserelleError(-32700, 'unparsable frame from the gateway') }));
      return;
    }
    if (msg.method && msg.id !== undefined) {
      this._onGatewayRequest(msg);
    } else if (msg.method) {
      this._onEvent(msg.method, msg.params || {});
    } else if (msg.id !== undefined && msg.id !== null) {
      const p = this._pending.get(msg.id);
      if (!p) return;
      this._pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error) p.reject(new PasserelleError(msg.error.code, msg.error.message));
      else p.resolve(msg.result);
    } else if (msg.error) {
      this.dispatchEvent(event('error', { error: new PasserelleError(msg.error.code, msg.error.message) }));
    }
  }

  _onEvent(method, params) {
    if (typeof params.seq === 'number') {
      // A replay after resume may repeat what the dropped socket delivered: seq tells.
      if (params.seq <= this.lastSeq) return;
      this.lastSeq = params.seq;
    }
    this.dispatchEvent(event('event', { method, params }));
    if (method === 'call.incoming') {
      const c = new Call(this, {
        direction: 'incoming', id: params.callId, remote: params.from,
        displayName: params.displayName, offer: params.sdp, headers: params.headers || {},
      });
      this.calls.set(c.id, c);
      c._setState('ringing');
      this.dispatchEvent(event('incoming', { call: c }));
    } else if (method.startsWith('call.')) {
      const c = this.calls.get(params.callId);
      if (c) c._onEvent(method, params);
      else if (this._invitesInFlight > 0) this._orphans.push({ method, params });
    } else if (method === 'message.received') {
      this.dispatchEvent(event('message', params));
    } else if (method === 'message.status') {
      this.dispatchEvent(event('messagestatus', params));
    } else if (method === 'data.received') {
      this.dispatchEvent(event('data', params));
    } else if (method === 'presence.update') {
      this.dispatchEvent(event('presence', params));
    }
  }

  async _onGatewayRequest(msg) {
    const reply = (body) => {
      if (this.socket && this.socket.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, ...body }));
      }
    };
    if (msg.method !== 'call.update') {
      reply({ error: { code: -32601, message: 'unknown method ' + msg.method } });
      return;
    }
    const c = this.calls.get(msg.params && msg.params.callId);
    if (!c || c.state === 'ended') {
      reply({ error: { code: 404, message: 'no such call' } });
      return;
    }
    try {
      reply({ result: { sdp: await c._answerRemoteOffer(msg.params.sdp) } });
    } catch (err) {
      reply({ error: { code: 488, message: 'offer not acceptable: ' + err.message } });
    }
  }

  // ------------------------------------------------------------------ calls

  async _placeCall(c, to, options) {
    this._invitesInFlight++;
    try {
      await c._prepareOffer(options);
      if (c.state === 'ended') return;
      const params = { to, sdp: c.pc.localDescription.sdp };
      if (options.headers) params.headers = options.headers;
      if (options.referredBy) params.referredBy = options.referredBy;
      const result = await this.request('call.invite', params);
      c.id = result.callId;
      this.calls.set(c.id, c);
      c._resolveInvited(c.id);
      // Events for this call may have come before the result (protocol §6).
      const early = this._orphans.filter((o) => o.params.callId === c.id);
      this._orphans = this._orphans.filter((o) => o.params.callId !== c.id);
      for (const o of early) c._onEvent(o.method, o.params);
      if (c._hangupWanted && c.state !== 'ended') await c.hangup();
    } catch (err) {
      c._rejectInvited(err);
      c._end({ code: err.code || 500, reason: err.message, by: 'local' });
    } finally {
      this._invitesInFlight--;
      if (this._invitesInFlight === 0) this._orphans = [];
    }
  }
}

/**
 * One call, placed or received. States: calling → ringing | early → active → ended (incoming:
 * ringing → active → ended). Events: state, track, progress, dtmf, transferred, referred, mute, ended.
 */
export class Call extends EventTarget {
  constructor(passerelle, { direction, id = null, remote, displayName, offer, headers }) {
    super();
    this.passerelle = passerelle;
    this.direction = direction;
    this.id = id;
    this.remote = remote;
    this.displayName = displayName;
    this.headers = headers || {};
    this.state = direction === 'outgoing' ? 'calling' : 'ringing';
    this.pc = null;
    this.localStream = null;
    this.remoteStream = null;
    this.muted = false;
    this.held = false;
    this.endInfo = null;
    this._offer = offer;
    this._hangupWanted = false;
    this.invited = new Promise((resolve, reject) => {
      this._resolveInvited = resolve;
      this._rejectInvited = reject;
    });
    // Nobody has to await `invited`: its failure also ends the call.
    this.invited.catch(() => {});
    if (id) this._resolveInvited(id);
    // Events of one call apply one after the other, each after the SDP work of the previous one.
    this._queue = Promise.resolve();
  }

  /** Answers an incoming call with local media. */
  async answer({ audio = true, video = false } = {}) {
    if (this.direction !== 'incoming' || this.state !== 'ringing') {
      throw new PasserelleError(-32602, 'only a ringing incoming call can be answered');
    }
    this._createPeerConnection();
    await this.pc.setRemoteDescription({ type: 'offer', sdp: this._offer });
    await this._addLocalMedia({ audio, video });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await this._gathered();
    await this.passerelle.request('call.answer', { callId: this.id, sdp: this.pc.localDescription.sdp });
    if (this.state !== 'ended') this._setState('active');
  }

  /** Declines an incoming call for this session (486 Busy Here by default). */
  async reject(code = 486) {
    await this.passerelle.request('call.reject', { callId: this.id, code });
    this._end({ code, reason: 'rejected', by: 'local' });
  }

  /** Cancels before the answer, hangs up after it; a ringing callee declines with 486. */
  async hangup() {
    if (this.state === 'ended') return;
    if (!this.id) {
      // The invite is not out yet (media, ICE gathering) or not answered: finish once it is.
      this._hangupWanted = true;
      if (!this.pc || !this.pc.localDescription) this._end({ code: 487, reason: 'cancelled', by: 'local' });
      return;
    }
    try {
      await this.passerelle.request('call.hangup', { callId: this.id });
    } finally {
      this._end({ code: 200, reason: 'hung up', by: 'local' });
    }
  }

  /** Stops (true) or restarts (false) sending the microphone; the call and its SDP stay as they are. */
  mute(muted = true) {
    this.muted = muted;
    if (this.localStream) {
      for (const t of this.localStream.getAudioTracks()) t.enabled = !muted;
    }
    this.dispatchEvent(event('mute', { muted }));
  }

  /**
   * A new offer of ours (hold, ICE restart, add video …) through call.update; applies the answer.
   * A refused update rolls the offer back: the session in force stays, as on the gateway.
   */
  async update({ iceRestart = false } = {}) {
    await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart }));
    await this._gathered();
    let result;
    try {
      result = await this.passerelle.request('call.update', { callId: this.id, sdp: this.pc.localDescription.sdp });
    } catch (err) {
      await this.pc.setLocalDescription({ type: 'rollback' });
      throw err;
    }
    await this.pc.setRemoteDescription({ type: 'answer', sdp: result.sdp });
  }

  /**
   * Puts the call on hold (our sections become sendonly, RFC 3264 §8.4) or takes it off hold
   * (sendrecv), through call.update. On failure the directions and the session stay as they were.
   */
  async hold(held = true) {
    const transceivers = this.pc.getTransceivers().filter((t) => !t.stopped);
    const before = transceivers.map((t) => t.direction);
    for (const t of transceivers) t.direction = held ? 'sendonly' : 'sendrecv';
    try {
      await this.update();
    } catch (err) {
      transceivers.forEach((t, i) => { t.direction = before[i]; });
      throw err;
    }
    this.held = held;
    this.dispatchEvent(event('hold', { held }));
  }

  sendDtmf(tones, { durationMs } = {}) {
    const params = { callId: this.id, tones };
    if (durationMs !== undefined) params.durationMs = durationMs;
    return this.passerelle.request('call.dtmf', params);
  }

  transfer(to) {
    return this.passerelle.request('call.transfer', { callId: this.id, to });
  }

  /**
   * Sends qos.report: getStats() summarised per RTP stream (qualityOf below). Resolves with the
   * streams sent, or [] when there is nothing to report yet (no call id, no statistics).
   */
  async reportQuality() {
    if (!this.id || this.state === 'ended' || !this.pc) return [];
    const streams = qualityOf(await this.pc.getStats());
    if (streams.length === 0) return [];
    await this.passerelle.request('qos.report', { callId: this.id, streams });
    return streams;
  }

  // ------------------------------------------------------------------ internals

  _createPeerConnection() {
    // BUNDLE offered but not required (RFC 8843 §7.3.3): another browser accepts it, while a
    // media relay that answers without a BUNDLE group (rtpengine before version 12 does) gets one
    // transport per media section instead of a failed call. RTCP is always muxed (RFC 5761).
    this.pc = new RTCPeerConnection({
      iceServers: this.passerelle.iceServers,
      bundlePolicy: 'balanced',
      rtcpMuxPolicy: 'require',
    });
    this.remoteStream = new MediaStream();
    this.pc.ontrack = (e) => {
      this.remoteStream.addTrack(e.track);
      this.dispatchEvent(event('track', { track: e.track, stream: this.remoteStream }));
    };
  }

  async _addLocalMedia(constraints) {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    if (this.state === 'ended') {
      // Hung up while the user was granting the microphone: do not leave it on.
      for (const t of stream.getTracks()) t.stop();
      throw new PasserelleError(487, 'call ended before its media was ready');
    }
    this.localStream = stream;
    for (const t of this.localStream.getTracks()) {
      if (t.kind === 'audio') t.enabled = !this.muted;
      this.pc.addTrack(t, this.localStream);
    }
  }

  async _prepareOffer({ audio = true, video = false } = {}) {
    this._createPeerConnection();
    await this._addLocalMedia({ audio, video });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await this._gathered();
  }

  // The protocol carries complete SDPs, no trickle: wait until every candidate is in the local
  // description. A TURN server that never answers must not stall the call, hence the bound.
  _gathered() {
    const pc = this.pc;
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      };
      const check = () => {
        if (pc.iceGatheringState === 'complete') done();
      };
      const timer = setTimeout(done, this.passerelle.options.iceGatheringTimeoutMs);
      pc.addEventListener('icegatheringstatechange', check);
    });
  }

  // In the call's queue, so that a remote re-offer never interleaves with an event's SDP work.
  _answerRemoteOffer(sdp) {
    const answered = this._queue.then(async () => {
      await this.pc.setRemoteDescription({ type: 'offer', sdp });
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      await this._gathered();
      return this.pc.localDescription.sdp;
    });
    this._queue = answered.catch(() => {});
    return answered;
  }

  _onEvent(method, params) {
    this._queue = this._queue.then(() => this._apply(method, params));
  }

  async _apply(method, params) {
    try {
      switch (method) {
        case 'call.progress':
          this.dispatchEvent(event('progress', params));
          if (this.state !== 'calling' && this.state !== 'ringing') return;
          if (params.sdp) {
            // Early media: a provisional answer, replaced by the final one (RFC 3264 §4, JSEP pranswer).
            await this.pc.setRemoteDescription({ type: 'pranswer', sdp: params.sdp });
            this._setState('early');
          } else {
            this._setState('ringing');
          }
          break;
        case 'call.accepted':
          if (this.state === 'ended') return;
          await this.pc.setRemoteDescription({ type: 'answer', sdp: params.sdp });
          this._setState('active');
          break;
        case 'call.confirmed':
          if (this.state === 'ringing') this._setState('active');
          break;
        case 'call.ended':
          this._end({ code: params.code, reason: params.reason, by: params.by });
          break;
        case 'call.dtmf':
          this.dispatchEvent(event('dtmf', params));
          break;
        case 'call.transferred':
          this.dispatchEvent(event('transferred', params));
          break;
        case 'call.referred':
          this.dispatchEvent(event('referred', params));
          if (this.passerelle.options.followReferrals) this._followReferral(params);
          break;
        default:
          break;
      }
    } catch (err) {
      // The gateway's SDP did not fit our peer connection: nothing can flow, so end it.
      this.dispatchEvent(event('error', { error: err }));
      if (this.id) this.hangup().catch(() => {});
    }
  }

  // The peer asked us to call params.to (RFC 3515 REFER): the new call names this one as
  // referredBy, so that the peer hears how it goes. Same media kinds as this call.
  _followReferral(params) {
    const video = Boolean(this.localStream && this.localStream.getVideoTracks().length > 0);
    const next = this.passerelle.call(params.to, { audio: true, video, referredBy: this.id });
    this.passerelle.dispatchEvent(event('referral', { from: this, call: next, to: params.to }));
  }

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(event('state', { state }));
  }

  _end(info) {
    if (this.state === 'ended') return;
    this.endInfo = info;
    if (this.pc) this.pc.close();
    if (this.localStream) {
      for (const t of this.localStream.getTracks()) t.stop();
    }
    if (this.id) this.passerelle.calls.delete(this.id);
    this._setState('ended');
    this.dispatchEvent(event('ended', info));
  }
}

export default Passerelle;
