// Types of passerelle.js, the Passerelle JS SDK (protocol passerelle.v1, docs/protocol.md).

export declare const SUBPROTOCOL: 'passerelle.v1';

/** JSON-RPC error of the gateway, or a client-side failure (408 timeout, 503 connection lost). */
export declare class PasserelleError extends Error {
  constructor(code: number, message: string);
  readonly name: 'PasserelleError';
  readonly code: number;
}

export interface PasserelleOptions {
  /** ws:// or wss:// URL of the gateway; default: this page's host, path /ws. */
  url?: string;
  /** A request without an answer in this time rejects with code 408 (default 15000). */
  requestTimeoutMs?: number;
  /** How often handled events are acknowledged with session.ack (default 2000). */
  ackIntervalMs?: number;
  /** Upper bound on waiting for ICE gathering before an SDP is sent (default 10000). */
  iceGatheringTimeoutMs?: number;
  /** First reconnect delay after a drop; doubles up to reconnectMaxDelayMs (defaults 250, 8000). */
  reconnectMinDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** Stop trying to resume after this long; the session is then lost (default 60000). */
  reconnectGiveUpMs?: number;
  /** Place the call a SIP peer asks for (call.referred) at once, with referredBy (default true). */
  followReferrals?: boolean;
}

export interface Identity {
  user: string;
  sipUri: string;
  displayName?: string;
}

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface LoginResult {
  sessionId: string;
  resumeToken: string;
  identity: Identity;
  iceServers: IceServer[];
}

export interface ResumeResult {
  sessionId: string;
  replayed: number;
}

export type ConnectionState = 'closed' | 'connecting' | 'open' | 'reconnecting';
export type SessionState = 'loggedin' | 'resumed' | 'loggedout' | 'lost' | 'taken-over';
export type CallState = 'calling' | 'ringing' | 'early' | 'active' | 'ended';
export type CallDirection = 'outgoing' | 'incoming';
export type EndedBy = 'local' | 'remote' | 'gateway';

export interface CallOptions {
  audio?: boolean | MediaTrackConstraints;
  video?: boolean | MediaTrackConstraints;
  /** X-* headers of the INVITE (SIP calls) or of call.incoming (web-to-web). */
  headers?: Record<string, string>;
  /** The callId whose peer asked for this call (call.referred); the SDK sets it when following. */
  referredBy?: string;
}

export interface AnswerOptions {
  audio?: boolean | MediaTrackConstraints;
  video?: boolean | MediaTrackConstraints;
}

/** One entry of qos.report's streams; a figure the browser does not have is left out. */
export interface StreamQuality {
  kind: 'audio' | 'video';
  direction: 'inbound' | 'outbound';
  codec?: string;
  packets?: number;
  packetsLost?: number;
  bytes?: number;
  jitterMs?: number;
  roundTripMs?: number;
  mos?: number;
}

export interface EndInfo {
  code: number;
  reason: string;
  by: EndedBy;
}

export interface MessageReceived {
  messageId: string;
  from: string;
  body: string;
  contentType: string;
  /** ISO-8601 instant at which the gateway took the message. */
  timestamp: string;
  seq: number;
}

export interface MessageStatus {
  messageId: string;
  status: 'delivered' | 'failed';
  code?: number;
  seq: number;
}

export interface DataReceived {
  /** The sender's SIP URI. */
  from: string;
  payload: unknown;
}

export type PresenceStatus = 'available' | 'away' | 'busy' | 'offline';

/** presence.update: `user` is the `to` of subscribePresence, as written. */
export interface PresenceUpdate {
  user: string;
  status: PresenceStatus;
  note?: string;
  seq: number;
}

export interface RawEvent {
  method: string;
  params: Record<string, unknown> & { seq?: number };
}

export interface PasserelleEventMap {
  connection: CustomEvent<{ state: ConnectionState; code?: number; reason?: string }>;
  session: CustomEvent<{ state: SessionState; identity?: Identity; replayed?: number; error?: PasserelleError }>;
  incoming: CustomEvent<{ call: Call }>;
  /** A call placed because the peer of `from` asked for it (call.referred, followReferrals on). */
  referral: CustomEvent<{ from: Call; call: Call; to: string }>;
  message: CustomEvent<MessageReceived>;
  /** May arrive before the sendMessage promise resolves: match it by messageId. */
  messagestatus: CustomEvent<MessageStatus>;
  data: CustomEvent<DataReceived>;
  presence: CustomEvent<PresenceUpdate>;
  /** Every event of the gateway, after seq filtering, before the typed ones. */
  event: CustomEvent<RawEvent>;
  error: CustomEvent<{ error: PasserelleError }>;
}

export declare class Passerelle extends EventTarget {
  constructor(options?: PasserelleOptions);
  /** A Passerelle whose socket is open. */
  static connect(url?: string, options?: PasserelleOptions): Promise<Passerelle>;

  readonly url: string;
  readonly socket: WebSocket | null;
  readonly connectionState: ConnectionState;
  readonly sessionId: string | null;
  readonly resumeToken: string | null;
  readonly identity: Identity | null;
  readonly iceServers: IceServer[];
  /** The highest event seq handled in this session. */
  readonly lastSeq: number;
  /** Calls not ended yet, by callId. */
  readonly calls: ReadonlyMap<string, Call>;
  /** The most recent call not ended, or null. */
  readonly currentCall: Call | null;

  open(): Promise<void>;
  login(token: string, options?: { device?: string }): Promise<LoginResult>;
  /** session.resume with the last seq; also done automatically after a drop. */
  resume(): Promise<ResumeResult>;
  logout(): Promise<void>;
  /** Closes the socket without resuming. */
  close(): void;
  /** A new outgoing call, returned at once in state 'calling'. */
  call(to: string, options?: CallOptions): Call;
  /** message.send; the outcome is a later `messagestatus` event with the same messageId. */
  sendMessage(to: string, body: string, contentType?: string): Promise<{ messageId: string }>;
  /** data.send to every session of a web user. */
  sendData(to: string, payload: unknown): Promise<Record<string, never>>;
  /** Any protocol method. */
  request<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** A JSON-RPC notification (no answer). */
  notify(method: string, params?: Record<string, unknown>): void;
  /** presence.publish. */
  publishPresence(status: PresenceStatus, note?: string): Promise<Record<string, never>>;
  /** presence.subscribe: `presence` events for `to` follow, the current state first. */
  subscribePresence(to: string): Promise<Record<string, never>>;
  /** presence.unsubscribe. */
  unsubscribePresence(to: string): Promise<Record<string, never>>;

  addEventListener<K extends keyof PasserelleEventMap>(type: K,
    listener: (this: Passerelle, ev: PasserelleEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof PasserelleEventMap>(type: K,
    listener: (this: Passerelle, ev: PasserelleEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
}

export interface CallEventMap {
  state: CustomEvent<{ state: CallState }>;
  track: CustomEvent<{ track: MediaStreamTrack; stream: MediaStream }>;
  progress: CustomEvent<{ callId: string; code: number; reason: string; sdp?: string; seq: number }>;
  mute: CustomEvent<{ muted: boolean }>;
  hold: CustomEvent<{ held: boolean }>;
  dtmf: CustomEvent<{ callId: string; tones: string; seq: number }>;
  /** Progress of transfer(): 202 when the peer took it, then 100, 180, 200, 486 ... of the target. */
  transferred: CustomEvent<{ callId: string; to: string; status: number; seq: number }>;
  /** The peer asks us to call `to` (SIP REFER). */
  referred: CustomEvent<{ callId: string; to: string; referredBy?: string; seq: number }>;
  ended: CustomEvent<EndInfo>;
  error: CustomEvent<{ error: Error }>;
}

export declare class Call extends EventTarget {
  readonly passerelle: Passerelle;
  readonly direction: CallDirection;
  /** The gateway's callId; null for an outgoing call until the gateway took the invite. */
  readonly id: string | null;
  /** Whom we called, or who calls us. */
  readonly remote: string;
  readonly displayName?: string;
  readonly headers: Record<string, string>;
  readonly state: CallState;
  readonly pc: RTCPeerConnection | null;
  readonly localStream: MediaStream | null;
  readonly remoteStream: MediaStream | null;
  readonly muted: boolean;
  /** True after a successful hold(), false after hold(false). */
  readonly held: boolean;
  readonly endInfo: EndInfo | null;
  /** Resolves with the callId once call.invite succeeded; rejects with its error. */
  readonly invited: Promise<string>;

  answer(options?: AnswerOptions): Promise<void>;
  reject(code?: number): Promise<void>;
  hangup(): Promise<void>;
  mute(muted?: boolean): void;
  /** A new local offer through call.update (ICE restart …); rolled back when refused. */
  update(options?: { iceRestart?: boolean }): Promise<void>;
  /** Hold (sendonly) or off hold (sendrecv) through call.update; rejects with the gateway's error. */
  hold(held?: boolean): Promise<void>;
  /** call.dtmf: tones 0-9 * # A-D (up to 32), each durationMs long (40-2000, default 160). */
  sendDtmf(tones: string, options?: { durationMs?: number }): Promise<unknown>;
  /** call.transfer: a blind transfer of the SIP peer to `to`; progress comes as `transferred`. */
  transfer(to: string): Promise<unknown>;
  /** Sends qos.report with getStats() summarised per RTP stream; resolves with what was sent. */
  reportQuality(): Promise<StreamQuality[]>;

  addEventListener<K extends keyof CallEventMap>(type: K,
    listener: (this: Call, ev: CallEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof CallEventMap>(type: K,
    listener: (this: Call, ev: CallEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
}

export default Passerelle;
