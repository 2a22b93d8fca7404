import { CAUSE_TEXT, Chan, ChanState, hex8 } from './channel.js';
import type { Fields, Frame } from './frame.js';

/** The PBX the recordings came from: extensions, and the queues every device state change reports on. */
export const AGENT_NAMES: Record<string, string> = { '1001': 'Agente Ana', '1002': 'Agente Bruno', '1003': 'Agente Carla' };
const QUEUE_MEMBERSHIPS = [
  { queue: 'suporte', iface: (ext: string) => `PJSIP/${ext}` },
  { queue: 'suporte-rr', iface: (ext: string) => `PJSIP/${ext}` },
  { queue: 'suporte-local', iface: (ext: string) => `Local/${ext}@from-queue/n` },
];
const QUEUE_STATUS: Record<string, string> = { NOT_INUSE: '1', INUSE: '2', RINGING: '6', RINGINUSE: '7' };

export interface AmiScriptOptions {
  /** Unix seconds at offset 0; Uniqueids are `<epoch at creation>.<counter>`. Default 1795457052. */
  readonly startEpoch?: number;
  /** Emit the events a real PBX sends that the tracker ignores (VarSet, Newexten, DeviceStateChange...). Default true. */
  readonly noise?: boolean;
  /** First value of the Uniqueid counter. Default 0. */
  readonly firstUniqueid?: number;
  /** First PJSIP channel suffix. Default: same as firstUniqueid. */
  readonly firstPjsip?: number;
  /** First Local channel suffix. Default 0. */
  readonly firstLocal?: number;
}

export interface Bridge {
  readonly id: string;
  readonly members: Chan[];
}

interface Pending extends Frame {
  readonly seq: number;
}

/**
 * Low-level emitter: allocates channels the way Asterisk names them and writes every event with all
 * its fields in Asterisk's order. Higher-level flows (calls, dials, queues) drive it with their own clock.
 */
export class AmiScript {
  readonly noise: boolean;
  readonly startEpoch: number;
  private pending: Pending[] = [];
  private seq = 0;
  private uid: number;
  private pjsip: number;
  private local: number;
  private bridges = 0;
  private rtcp = 0;

  constructor(options: AmiScriptOptions = {}) {
    this.noise = options.noise ?? true;
    this.startEpoch = options.startEpoch ?? 1795457052;
    this.uid = options.firstUniqueid ?? 0;
    this.pjsip = options.firstPjsip ?? this.uid;
    this.local = options.firstLocal ?? 0;
  }

  /** Every frame emitted so far, ordered by simulated time (stable for equal times). */
  frames(): Frame[] {
    return this.sorted(this.pending).map(({ at, fields }) => ({ at, fields }));
  }

  /** Removes and returns the frames at or before `until` (all when omitted), in time order. */
  drain(until = Number.POSITIVE_INFINITY): Frame[] {
    const out: Pending[] = [];
    const keep: Pending[] = [];
    for (const frame of this.pending) (frame.at <= until ? out : keep).push(frame);
    this.pending = keep;
    return this.sorted(out).map(({ at, fields }) => ({ at, fields }));
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  private sorted(frames: Pending[]): Pending[] {
    return [...frames].sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  emit(at: number, fields: Fields, noise = false): void {
    if (noise && !this.noise) return;
    this.pending.push({ at, fields, seq: this.seq++ });
  }

  private nextUniqueid(at: number): string {
    return `${this.startEpoch + Math.floor(at / 1000)}.${this.uid++}`;
  }

  /** A device channel for an endpoint (`PJSIP/1001-0000002a`, `PJSIP/trunk-00000000`), announced by Newchannel. */
  pjsipChannel(at: number, endpoint: string, init: ChanInit): Chan {
    const chan = new Chan(`PJSIP/${endpoint}-${hex8(this.pjsip++)}`, this.nextUniqueid(at), init);
    this.newchannel(at, chan);
    return chan;
  }

  /** The two halves of a Local channel (`Local/1001@from-queue-00000000;1` and `;2`), both announced. */
  localPair(at: number, exten: string, context: string, linkedid: string): [Chan, Chan] {
    const base = `Local/${exten}@${context}-${hex8(this.local++)}`;
    const common = { linkedid, callerNum: '<unknown>', callerName: '<unknown>', context, exten };
    const one = new Chan(`${base};1`, this.nextUniqueid(at), { ...common, state: ChanState.Down });
    const two = new Chan(`${base};2`, this.nextUniqueid(at), { ...common, state: ChanState.Ring });
    this.newchannel(at, one);
    this.newchannel(at, two);
    return [one, two];
  }

  private newchannel(at: number, chan: Chan): void {
    this.emit(at, { Event: 'Newchannel', Privilege: 'call,all', ...chan.snapshot() });
  }

  chanEvent(at: number, event: string, chan: Chan, extra: Fields = {}, noise = false, privilege = 'call,all'): void {
    this.emit(at, { Event: event, Privilege: privilege, ...chan.snapshot(), ...extra }, noise);
  }

  newstate(at: number, chan: Chan, state: number): void {
    chan.state = state;
    this.chanEvent(at, 'Newstate', chan);
  }

  varset(at: number, chan: Chan, variable: string, value: string): void {
    this.emit(at, { Event: 'VarSet', Privilege: 'dialplan,all', ...chan.snapshot(), Variable: variable, Value: value }, true);
  }

  /** A dialplan step: moves the channel (context/exten/priority) and reports Newexten. */
  newexten(at: number, chan: Chan, app: string, data: string, where?: { context?: string; exten?: string; priority?: number }): void {
    if (where?.context !== undefined) chan.context = where.context;
    if (where?.exten !== undefined) chan.exten = where.exten;
    chan.priority = where?.priority ?? (where ? 1 : chan.priority + 1);
    this.emit(
      at,
      { Event: 'Newexten', Privilege: 'dialplan,all', ...chan.snapshot(), Extension: chan.exten, Application: app, AppData: data },
      true,
    );
  }

  connectedLine(at: number, chan: Chan, to: Chan | { num: string; name: string }): void {
    if (to instanceof Chan) chan.connectTo(to);
    else [chan.connNum, chan.connName] = [to.num, to.name];
    this.chanEvent(at, 'NewConnectedLine', chan, {}, true);
  }

  /** NewCallerid is a call event the tracker reads, not noise. */
  newCallerid(at: number, chan: Chan, num: string, name: string): void {
    chan.callerNum = num;
    chan.callerName = name;
    chan.callerIdOwed = false;
    this.chanEvent(at, 'NewCallerid', chan, { 'CID-CallingPres': '0 (Presentation Allowed, Not Screened)' });
  }

  /**
   * The NewCallerid Asterisk 22 owes for a caller id changed without a snapshot (a Local `;1` taking its
   * device's id while it rings): it comes with the channel's next full snapshot, after its Newstate Up,
   * or after its Hangup when it never answered.
   */
  owedCallerid(at: number, chan: Chan): void {
    if (chan.callerIdOwed) this.newCallerid(at, chan, chan.callerNum, chan.callerName);
  }

  dialEvent(at: number, event: 'DialBegin' | 'DialState' | 'DialEnd', caller: Chan, dest: Chan, last: Fields): void {
    this.emit(at, { Event: event, Privilege: 'call,all', ...caller.snapshot(), ...dest.snapshot('Dest'), ...last }, event === 'DialState');
  }

  /** DeviceStateChange for a device, plus the QueueMemberStatus lines the PBX's three queues add for agents. */
  deviceState(at: number, device: string, state: string): void {
    this.emit(at, { Event: 'DeviceStateChange', Privilege: 'call,all', Device: device, State: state }, true);
    const ext = /^PJSIP\/(\d+)$/.exec(device)?.[1];
    const name = ext ? AGENT_NAMES[ext] : undefined;
    if (!ext || !name || !QUEUE_STATUS[state]) return;
    for (const { queue, iface } of QUEUE_MEMBERSHIPS) {
      this.emit(
        at,
        {
          Event: 'QueueMemberStatus',
          Privilege: 'agent,all',
          Queue: queue,
          MemberName: name,
          Interface: iface(ext),
          StateInterface: `PJSIP/${ext}`,
          Membership: 'static',
          Penalty: '0',
          CallsTaken: '0',
          LastCall: '0',
          LastPause: '0',
          LoginTime: String(this.startEpoch - 9),
          InCall: '0',
          Status: QUEUE_STATUS[state]!,
          Paused: '0',
          PausedReason: '',
          Ringinuse: '0',
          Wrapuptime: '0',
        },
        true,
      );
    }
  }

  /**
   * HangupRequest (read by the tracker) or SoftHangupRequest (noise; its Cause is the soft-hangup flag,
   * 16 = AST_SOFTHANGUP_EXPLICIT). No Cause field when the channel has no hangup cause yet (a SIP BYE).
   */
  hangupRequest(at: number, chan: Chan, cause?: number, event = 'HangupRequest'): void {
    this.chanEvent(at, event, chan, cause === undefined ? {} : { Cause: String(cause) }, event !== 'HangupRequest');
  }

  /** The one Hangup of a channel. TechCause (Asterisk 22) only for off-nominal SIP endings. */
  hangup(at: number, chan: Chan, cause: number, techCause?: number): void {
    if (chan.hungUp) throw new Error(`script error: ${chan.name} hung up twice`);
    chan.hungUp = true;
    const extra: Fields = { Cause: String(cause), 'Cause-txt': CAUSE_TEXT[cause] ?? 'Unknown' };
    if (techCause !== undefined) extra.TechCause = String(techCause);
    this.chanEvent(at, 'Hangup', chan, extra);
  }

  createBridge(at: number): Bridge {
    const bridge: Bridge = { id: pseudoUuid(++this.bridges), members: [] };
    this.emit(at, { Event: 'BridgeCreate', Privilege: 'call,all', ...bridgeFields(bridge) }, true);
    return bridge;
  }

  bridgeEnter(at: number, bridge: Bridge, chan: Chan): void {
    bridge.members.push(chan);
    this.emit(at, { Event: 'BridgeEnter', Privilege: 'call,all', ...bridgeFields(bridge), ...chan.snapshot() });
  }

  bridgeLeave(at: number, bridge: Bridge, chan: Chan): void {
    bridge.members.splice(bridge.members.indexOf(chan), 1);
    this.emit(at, { Event: 'BridgeLeave', Privilege: 'call,all', ...bridgeFields(bridge), ...chan.snapshot() });
  }

  bridgeDestroy(at: number, bridge: Bridge): void {
    this.emit(at, { Event: 'BridgeDestroy', Privilege: 'call,all', ...bridgeFields(bridge) }, true);
  }

  /** The BRIDGEPEER noise Asterisk repeats while two channels settle in a bridge. */
  bridgePeers(at: number, a: Chan, b: Chan, rounds = 2): void {
    for (let i = 0; i < rounds; i++) {
      this.varset(at, b, 'BRIDGEPEER', a.name);
      this.varset(at, b, 'BRIDGEPVTCALLID', callId(b.uniqueid));
      this.varset(at, a, 'BRIDGEPEER', b.name);
      this.varset(at, a, 'BRIDGEPVTCALLID', callId(a.uniqueid));
    }
  }

  rtcpSent(at: number, chan: Chan): void {
    const n = ++this.rtcp;
    this.chanEvent(
      at,
      'RTCPSent',
      chan,
      {
        To: `127.0.0.1:${15000 + ((n * 37) % 2000)}`,
        From: `127.0.0.1:${10000 + ((n * 53) % 2000)}`,
        MES: '88.1',
        SSRC: `0x${hex8((n * 2654435761) >>> 0)}`,
        PT: '200(SR)',
        ReportCount: '1',
        SentNTP: `${this.startEpoch + Math.floor(at / 1000)}.${String(439034 + n).padStart(6, '0')}`,
        SentRTP: '40080',
        SentPackets: '167',
        SentOctets: '40080',
        Report0SourceSSRC: '0xdee0ee8f',
        Report0FractionLost: '0',
        Report0CumulativeLost: '0',
        Report0HighestSequence: '59299',
        Report0SequenceNumberCycles: '0',
        Report0IAJitter: '2',
        Report0LSR: '0',
        Report0DLSR: '0.0000',
      },
      true,
      'reporting,all',
    );
  }
}

export interface ChanInit {
  linkedid?: string;
  state: number;
  callerNum: string;
  callerName: string;
  context: string;
  exten: string;
}

export function bridgeFields(bridge: Bridge, prefix = ''): Fields {
  return {
    [`${prefix}BridgeUniqueid`]: bridge.id,
    [`${prefix}BridgeType`]: 'basic',
    [`${prefix}BridgeTechnology`]: 'simple_bridge',
    [`${prefix}BridgeCreator`]: '<unknown>',
    [`${prefix}BridgeName`]: '<unknown>',
    [`${prefix}BridgeNumChannels`]: String(bridge.members.length),
    [`${prefix}BridgeVideoSourceMode`]: 'none',
  };
}

/** A stable, UUID-shaped id from a counter (bridges have random UUIDs in Asterisk). */
export function pseudoUuid(n: number): string {
  let x = (n * 2654435761) >>> 0;
  const parts: string[] = [];
  for (let i = 0; i < 4; i++) {
    x = (Math.imul(x ^ (x >>> 15), 2246822507) + n + i) >>> 0;
    parts.push(hex8(x));
  }
  const h = parts.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function callId(uniqueid: string): string {
  return `${pseudoUuid(Number(uniqueid.split('.')[1] ?? 0) + 1000)}`;
}
