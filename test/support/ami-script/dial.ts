import { Chan, ChanState } from './channel.js';
import { AGENT_NAMES, type AmiScript, type Bridge } from './core.js';
import type { Fields } from './frame.js';

/** Something that owns a clock: every event a flow emits is stamped with its `t` (ms). */
export interface Clocked {
  t: number;
  readonly s: AmiScript;
  /** Variables the callee channels inherit (`__FROM_DID`...), in the order they were set. */
  readonly inherited: Array<[string, string]>;
}

/**
 * One dial target: an extension's device (`'1001'`), one contact of it (`{ ext, contact }`), a trunk
 * number (`{ trunk: '037988887777' }`), or a Local channel whose `;2` half dials devices itself
 * (`{ local: '1001@from-queue', dials: ['1001'] }`, `{ local: 'FMGL-37988887777#@from-internal', dials: [{ trunk: ... }] }`).
 */
export type DialTarget =
  | string
  | { readonly ext: string; readonly contact?: string }
  | { readonly trunk: string }
  | { readonly local: string; readonly dials: readonly DialTarget[]; readonly iface?: string };

export interface Leg {
  /** Extension (device endpoint) or 'trunk' or the Local exten part. */
  readonly ext: string;
  /** The channel this Dial talks to: the device, or the Local `;1` half. */
  readonly chan: Chan;
  status: 'ringing' | 'answered' | 'ended';
  /** For Local targets: the `;2` half and the Dial it runs. */
  local?: { readonly two: Chan; inner?: Dial; readonly dials: readonly DialTarget[] };
  readonly dialString: string;
  /** The channel's Exten and connected line when it was created (app_queue's DialBegin still shows them). */
  readonly initial: { readonly exten: string; readonly connNum: string; readonly connName: string };
}

export interface DialOptions {
  /** The Dial() argument, for the Newexten noise. */
  readonly appData?: string;
  /** Caller id the device legs see (default: the dialling channel's). */
  readonly shownCaller?: { num: string; name: string };
  /** Called between a leg's creation and its DialBegin (AgentCalled goes there). */
  readonly beforeDialBegin?: (leg: Leg) => void;
  /** app_queue dials, not Dial(): no Dial Newexten/VarSets, members created and dialled one by one. */
  readonly byQueue?: boolean;
}

/** A Dial() from one channel to one or more targets, and what can become of its legs. */
export class Dial {
  readonly legs: Leg[] = [];
  private rang = false;

  constructor(
    readonly call: Clocked,
    readonly from: Chan,
    targets: readonly DialTarget[],
    private readonly options: DialOptions = {},
  ) {
    const { s } = call;
    if (!options.byQueue) {
      s.newexten(call.t, from, 'Dial', options.appData ?? `${targets.map(dialArg).join('&')},20,tT`);
      for (const name of ['DIALSTATUS', 'DIALEDPEERNUMBER', 'DIALEDPEERNAME', 'ANSWEREDTIME', 'ANSWEREDTIME_MS', 'DIALEDTIME', 'DIALEDTIME_MS', 'RINGTIME', 'RINGTIME_MS', 'PROGRESSTIME', 'PROGRESSTIME_MS'])
        s.varset(call.t, from, name, '');
    }
    const begin = (leg: Leg): void => {
      options.beforeDialBegin?.(leg);
      this.call.t += 1;
      // app_queue's DialBegin carries the member channel's snapshot from before app_queue set its Exten
      // and connected line (AgentCalled, just before it, already shows them): Asterisk 22 does this.
      const stale: Fields = options.byQueue
        ? { DestConnectedLineNum: leg.initial.connNum, DestConnectedLineName: leg.initial.connName, DestExten: leg.initial.exten }
        : {};
      s.dialEvent(call.t, 'DialBegin', from, leg.chan, { ...stale, DialString: leg.dialString });
      this.legs.push(leg);
    };
    // app_queue creates and dials members one by one; app_dial creates every channel, then dials them all.
    if (options.byQueue) for (const target of targets) begin(this.create(target));
    else for (const leg of targets.map((target) => this.create(target))) begin(leg);
    // app_dial with one device (or trunk) channel tells the caller who it is calling (NewConnectedLine).
    const only = this.legs.length === 1 ? this.legs[0] : undefined;
    if (!options.byQueue && only && !only.local) s.connectedLine(call.t, from, only.chan);
    for (const leg of this.legs) if (leg.local) this.startLocal(leg);
  }

  private get s(): AmiScript {
    return this.call.s;
  }

  private create(target: DialTarget): Leg {
    const { s, call, from } = this;
    if (typeof target === 'object' && 'local' in target) {
      const [exten, context] = target.local.split('@') as [string, string];
      const [one, two] = s.localPair(call.t, exten, context, from.linkedid);
      s.newexten(call.t, one, 'AppDial', '(Outgoing Line)', { priority: 1 });
      const did = call.inherited.find(([name]) => name === '__FROM_DID')?.[1];
      s.newCallerid(call.t, one, this.options.shownCaller?.num ?? did ?? from.exten, '<unknown>');
      for (const [name, value] of [...call.inherited].reverse()) s.varset(call.t, one, name, value);
      s.varset(call.t, one, 'DIALEDPEERNUMBER', `${target.local}/n`);
      s.varset(call.t, two, 'DIALEDPEERNUMBER', `${target.local}/n`);
      for (const [name, value] of [...call.inherited].reverse()) s.varset(call.t, two, name, value);
      two.connNum = one.callerNum;
      s.newCallerid(call.t, two, from.callerNum, from.callerName);
      s.connectedLine(call.t, two, { num: one.callerNum, name: '<unknown>' });
      s.emit(call.t, { Event: 'LocalBridge', Privilege: 'call,all', ...one.snapshot('LocalOne'), ...two.snapshot('LocalTwo'), Context: context, Exten: exten, LocalOptimization: 'No' });
      // DialString: app_queue gives the member's whole interface, app_dial what follows `Local/`.
      const dialString = target.iface ?? (this.options.byQueue ? `Local/${target.local}/n` : `${target.local}/n`);
      const initial = { exten, connNum: '<unknown>', connName: '<unknown>' };
      return { ext: exten, chan: one, status: 'ringing', local: { two, dials: target.dials }, dialString, initial };
    }
    const trunk = typeof target === 'object' && 'trunk' in target;
    const ext = typeof target === 'string' ? target : 'ext' in target ? target.ext : 'trunk';
    const name = AGENT_NAMES[ext] ?? (trunk ? '<unknown>' : `Ramal ${ext}`);
    const dialed = trunk ? (target as { trunk: string }).trunk : ext;
    const initial = { exten: 's', connNum: '<unknown>', connName: '<unknown>' };
    const chan = s.pjsipChannel(call.t, ext, { linkedid: from.linkedid, state: ChanState.Down, callerNum: trunk ? dialed : ext, callerName: trunk ? '<unknown>' : name, context: trunk ? 'from-trunk' : 'from-internal', exten: 's' });
    s.varset(call.t, chan, 'DIALEDPEERNUMBER', trunk ? `${dialed}@trunk` : ext);
    for (const [variable, value] of [...call.inherited].reverse()) s.varset(call.t, chan, variable, value);
    s.newexten(call.t, chan, 'AppDial', '(Outgoing Line)', { context: chan.context, exten: trunk ? dialed : from.exten });
    s.connectedLine(call.t, chan, this.options.shownCaller ?? { num: from.callerNum, name: from.callerName });
    const contact = typeof target === 'object' && 'contact' in target && target.contact ? `/${target.contact}` : '';
    return { ext, chan, status: 'ringing', dialString: trunk ? `${dialed}@trunk` : `${ext}${contact}`, initial };
  }

  /** The `;2` half runs its dialplan and dials the real devices. */
  private startLocal(leg: Leg): void {
    const local = leg.local!;
    const { s, call } = this;
    call.t += 2;
    s.newexten(call.t, local.two, 'NoOp', `Agente ${leg.ext} chamado`, { priority: 1 });
    const inner = new Dial(call, local.two, local.dials, { appData: `${local.dials.map(dialArg).join('&')},,tT` });
    local.inner = inner;
  }

  /** Every leg (and, for Local legs, their devices) starts ringing. */
  ringAll(): this {
    for (const leg of this.legs) if (leg.status === 'ringing') this.ring(leg);
    return this;
  }

  ring(leg: Leg): void {
    const { s, call, from } = this;
    call.t += 3;
    if (leg.local) {
      leg.local.inner?.ringAll();
      s.newstate(call.t, leg.chan, ChanState.Ringing);
      s.newexten(call.t, leg.chan, 'AppDial', '(Outgoing Line)', { priority: 1 });
      const device = leg.local.inner?.legs[0]?.chan;
      if (device?.name.startsWith('PJSIP/trunk')) s.newCallerid(call.t, leg.chan, device.callerNum, device.callerName);
      else if (device) {
        // The `;1` takes its device's caller id without a snapshot: later events show it, but the
        // NewCallerid only comes after its Newstate Up, or after its Hangup (Asterisk 22.10).
        [leg.chan.callerNum, leg.chan.callerName] = [device.callerNum, device.callerName];
        leg.chan.callerIdOwed = true;
      }
      s.connectedLine(call.t, leg.chan, from);
    } else {
      s.newstate(call.t, leg.chan, ChanState.Ringing);
    }
    if (!this.rang) {
      s.varset(call.t, from, 'RINGTIME', '0');
      s.varset(call.t, from, 'RINGTIME_MS', '3');
    }
    s.dialEvent(call.t, 'DialState', from, leg.chan, { DialStatus: 'RINGING' });
    if (leg.local) s.deviceState(call.t, `Local/${leg.ext}@${leg.chan.context}`, 'INUSE');
    else if (leg.ext !== 'trunk') s.deviceState(call.t, `PJSIP/${leg.ext}`, 'RINGING');
    if (!this.rang && from.name.startsWith('PJSIP/trunk') && from.state !== ChanState.Up) s.deviceState(call.t, 'PJSIP/trunk', 'INUSE');
    this.rang = true;
  }

  ringing(ext?: string): Leg[] {
    return this.legs.filter((leg) => leg.status === 'ringing' && (ext === undefined || leg.ext === ext));
  }

  leg(ext: string, nth = 0): Leg {
    const leg = this.legs.filter((l) => l.ext === ext && l.status !== 'ended')[nth];
    if (!leg) throw new Error(`script error: no live leg for ${ext}`);
    return leg;
  }

  /** DialEnd with a status for a leg (does not hang it up). */
  end(leg: Leg, status: string): void {
    this.s.dialEvent(this.call.t, 'DialEnd', this.from, leg.chan, { DialStatus: status });
  }

  /**
   * Hangs a leg up (a Local leg takes its `;2` and devices with it: the `;2`'s Dial hangs its devices up
   * with the `;2`'s cause, or 16 when it has none).
   */
  drop(leg: Leg, cause: number, techCause?: number): void {
    const { s, call } = this;
    leg.status = 'ended';
    if (leg.local) {
      s.hangupRequest(call.t, leg.local.two, cause);
      s.hangup(call.t, leg.chan, cause);
      s.owedCallerid(call.t, leg.chan);
      const inner = leg.local.inner;
      if (inner) {
        for (const l of inner.ringing()) inner.end(l, 'CANCEL');
        s.varset(call.t, leg.local.two, 'DIALSTATUS', 'CANCEL');
      }
      s.hangupRequest(call.t, leg.local.two, 16, 'SoftHangupRequest');
      s.hangup(call.t, leg.local.two, cause);
      s.deviceState(call.t, `Local/${leg.ext}@${leg.chan.context}`, 'NOT_INUSE');
      if (inner) for (const l of inner.ringing()) inner.drop(l, cause || 16);
      return;
    }
    s.hangup(call.t, leg.chan, cause, techCause);
    if (leg.ext !== 'trunk') s.deviceState(call.t, `PJSIP/${leg.ext}`, 'NOT_INUSE');
  }

  /** Dial's timeout: NOANSWER for every ringing leg, then they are hung up (cause 0). */
  timeout(): void {
    const ringing = this.ringing();
    for (const leg of ringing) this.end(leg, 'NOANSWER');
    this.s.varset(this.call.t, this.from, 'DIALSTATUS', 'NOANSWER');
    for (const leg of ringing) this.drop(leg, 0);
  }

  /**
   * The dialling side went away: CANCEL for every ringing leg, which are hung up with `cause` (app_dial
   * hangs its outgoing channels up with the caller's cause); `beforeDrop` runs between the two.
   */
  cancelAll(cause = 0, techCause?: number, beforeDrop?: () => void): void {
    const ringing = this.ringing();
    for (const leg of ringing) this.end(leg, 'CANCEL');
    this.s.varset(this.call.t, this.from, 'DIALSTATUS', 'CANCEL');
    beforeDrop?.();
    for (const leg of ringing) this.drop(leg, cause, techCause);
  }

  /**
   * The device rejects the call (486): its HangupRequest (17) comes first, then DialEnd BUSY, then its
   * Hangup 17 with TechCause 486. app_dial copies that cause onto the dialling channel, which hangs up
   * with it too (17/486) unless something else sets another.
   */
  busy(ext: string): void {
    const leg = this.leg(ext);
    this.s.hangupRequest(this.call.t, leg.chan, 17);
    this.end(leg, 'BUSY');
    this.drop(leg, 17, 486);
    this.from.pendingCause = { cause: 17, techCause: 486 };
    if (this.ringing().length === 0) this.s.varset(this.call.t, this.from, 'DIALSTATUS', 'BUSY');
  }

  /**
   * A device answers: the other legs get DialEnd CANCEL (before the winner's ANSWER, as Asterisk 22 does)
   * and hang up "Answered elsewhere"; the winner and the dialling channel meet in a new bridge.
   */
  answer(ext: string, options: { enterCaller?: boolean; nth?: number } = {}): { bridge: Bridge; leg: Leg } {
    const { s, call, from } = this;
    const leg = this.leg(ext, options.nth);
    const others = this.ringing().filter((l) => l !== leg);
    if (leg.local) throw new Error('script error: answer a Local leg through its queue');
    leg.status = 'answered';
    s.newstate(call.t, leg.chan, ChanState.Up);
    s.connectedLine(call.t, from, leg.chan);
    for (const other of others) this.end(other, 'CANCEL');
    s.varset(call.t, from, 'DIALSTATUS', 'ANSWER');
    s.varset(call.t, from, 'DIALEDPEERNAME', leg.chan.name);
    s.varset(call.t, from, 'DIALEDPEERNUMBER', ext);
    leg.chan.exten = '';
    this.end(leg, 'ANSWER');
    if (from.state !== ChanState.Up) s.newstate(call.t, from, ChanState.Up);
    if (ext !== 'trunk') s.deviceState(call.t, `PJSIP/${ext}`, 'INUSE');
    const bridge = s.createBridge(call.t);
    s.newexten(call.t, leg.chan, 'AppDial', '(Outgoing Line)', { priority: 1 });
    s.bridgeEnter(call.t, bridge, leg.chan);
    for (const other of others) this.drop(other, 26);
    if (options.enterCaller !== false) {
      s.bridgeEnter(call.t, bridge, from);
      s.bridgePeers(call.t, from, leg.chan);
    }
    return { bridge, leg };
  }

  /**
   * A Local leg's device answers (follow-me): the `;2` half bridges with the device, then `;1` answers
   * this Dial and meets the dialling channel in a second bridge.
   */
  answerLocal(localExt: string, deviceExt: string): { bridge: Bridge; leg: Leg; inner: { bridge: Bridge; a: Chan; b: Chan } } {
    const { s, call, from } = this;
    const leg = this.leg(localExt);
    const local = leg.local;
    if (!local?.inner) throw new Error('script error: answerLocal() needs a Local leg');
    const others = this.ringing().filter((l) => l !== leg);
    const answered = local.inner.answer(deviceExt, { enterCaller: false });
    s.newstate(call.t, leg.chan, ChanState.Up);
    s.owedCallerid(call.t, leg.chan);
    leg.status = 'answered';
    this.end(leg, 'ANSWER');
    for (const other of others) this.end(other, 'CANCEL');
    if (from.state !== ChanState.Up) s.newstate(call.t, from, ChanState.Up);
    s.connectedLine(call.t, from, leg.chan);
    for (const other of others) this.drop(other, 26);
    s.bridgeEnter(call.t, answered.bridge, local.two);
    const bridge = s.createBridge(call.t);
    s.bridgeEnter(call.t, bridge, leg.chan);
    s.bridgeEnter(call.t, bridge, from);
    s.bridgePeers(call.t, from, leg.chan);
    return { bridge, leg, inner: { bridge: answered.bridge, a: local.two, b: answered.leg.chan } };
  }
}

function dialArg(target: DialTarget): string {
  if (typeof target === 'string') return `PJSIP/${target}`;
  if ('local' in target) return `Local/${target.local}/n`;
  if ('trunk' in target) return `PJSIP/${target.trunk}@trunk`;
  return target.contact ? `PJSIP/${target.ext}/${target.contact}` : `PJSIP/${target.ext}`;
}
