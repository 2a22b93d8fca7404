import { Chan, ChanState } from './channel.js';
import { AGENT_NAMES, bridgeFields, type AmiScript, type Bridge } from './core.js';
import { Dial, type Clocked, type DialOptions, type DialTarget } from './dial.js';

/** Two channels talking in a bridge; Local queue members add a second bridge (`;2` with the device). */
export interface Talk {
  readonly bridge: Bridge;
  readonly a: Chan;
  readonly b: Chan;
  readonly inner?: { readonly bridge: Bridge; readonly a: Chan; readonly b: Chan };
}

export interface InboundSpec {
  /** Caller number as the carrier sends it ('37999912222', '+5537999912222', 'anonymous', '<unknown>'). */
  readonly from: string;
  readonly fromName?: string;
  readonly did: string;
  /** Start time (ms). Default 0. */
  readonly at?: number;
}

/** One call, scripted step by step on its own clock. */
export class CallFlow implements Clocked {
  readonly inherited: Array<[string, string]> = [];
  talk?: Talk;

  constructor(
    readonly s: AmiScript,
    readonly origin: Chan,
    public t: number,
  ) {}

  /** An external call: the trunk channel enters `from-trunk` and the DID route in `ext-did`. */
  static inbound(s: AmiScript, spec: InboundSpec): CallFlow {
    const at = spec.at ?? 0;
    const origin = s.pjsipChannel(at, 'trunk', { state: ChanState.Ring, callerNum: spec.from, callerName: spec.fromName ?? '<unknown>', context: 'from-trunk', exten: spec.did });
    const call = new CallFlow(s, origin, at);
    s.varset(at, origin, 'SIPDOMAIN', '127.0.0.1');
    s.newexten(at, origin, 'NoOp', `Entrada tronco DID=${spec.did} CID=${spec.from} NAME=${spec.fromName ?? ''}`, { priority: 1 });
    call.set('__FROM_DID', spec.did);
    call.exec('Goto', `ext-did,${spec.did},1`);
    s.newexten(at, origin, 'Set', '__DIRECTION=INBOUND', { context: 'ext-did', exten: spec.did });
    call.inherit('__DIRECTION', 'INBOUND');
    return call;
  }

  /** A call placed by an extension's phone (internal, outbound, `*8` pickup, consult call). */
  static fromExtension(s: AmiScript, ext: string, dialed: string, at = 0): CallFlow {
    const origin = s.pjsipChannel(at, ext, { state: ChanState.Ring, callerNum: ext, callerName: AGENT_NAMES[ext] ?? `Ramal ${ext}`, context: 'from-internal', exten: dialed });
    const call = new CallFlow(s, origin, at);
    s.newexten(at, origin, 'NoOp', `Chamada de ${ext} para ${dialed}`, { priority: 1 });
    return call;
  }

  wait(ms: number): this {
    this.t += ms;
    return this;
  }

  /** Talking time: RTCP reports every 5 s, as a real PBX sends them. */
  talkFor(ms: number): this {
    const end = this.t + ms;
    while (this.t + 5000 <= end && this.talk) {
      this.t += 5000;
      this.s.rtcpSent(this.t, this.talk.b);
      this.s.rtcpSent(this.t, this.talk.a);
    }
    this.t = end;
    return this;
  }

  exec(app: string, data: string, where?: { context?: string; exten?: string }): this {
    this.s.newexten(this.t, this.origin, app, data, where);
    return this;
  }

  set(variable: string, value: string): this {
    this.exec('Set', `${variable}=${value}`);
    this.s.varset(this.t, this.origin, variable, value);
    if (variable.startsWith('__')) this.inherited.push([variable, value]);
    return this;
  }

  private inherit(variable: string, value: string): void {
    this.s.varset(this.t, this.origin, variable, value);
    this.inherited.push([variable, value]);
  }

  /** FreePBX-style jump to a destination, then its first step (a NoOp naming it). */
  goto(context: string, exten: string, note: string): this {
    this.exec('Goto', `${context},${exten},1`);
    this.exec('NoOp', note, { context, exten });
    return this;
  }

  /** Dial() from the call's channel; legs start ringing ~30 ms later unless `ring: false`. */
  dial(targets: readonly DialTarget[], options: DialOptions & { ring?: boolean } = {}): Dial {
    const dial = new Dial(this, this.origin, targets, options);
    if (options.ring !== false) {
      this.t += 30;
      dial.ringAll();
    }
    return dial;
  }

  /** Answer(): the caller's channel goes Up before a queue or an IVR. */
  answerCaller(): this {
    this.exec('Answer', '');
    this.s.newstate(this.t, this.origin, ChanState.Up);
    this.s.deviceState(this.t, 'PJSIP/trunk', 'INUSE');
    return this;
  }

  startTalk(bridge: Bridge, peer: Chan, inner?: Talk['inner']): this {
    this.talk = { bridge, a: this.origin, b: peer, ...(inner ? { inner } : {}) };
    return this;
  }

  /**
   * After a Dial that nobody answered, the dialplan ends (Hangup()): the caller's channel hangs up with
   * the cause it already has (17/486 after a busy callee), else 16.
   */
  endInDialplan(): void {
    const { s, origin } = this;
    this.t += 5;
    this.exec('Hangup', '');
    s.hangupRequest(this.t, origin, 16, 'SoftHangupRequest');
    s.hangup(this.t, origin, origin.pendingCause?.cause ?? 16, origin.pendingCause?.techCause);
    if (origin.name.startsWith('PJSIP/trunk')) s.deviceState(this.t, 'PJSIP/trunk', 'NOT_INUSE');
    else s.deviceState(this.t, `PJSIP/${origin.callerNum}`, 'NOT_INUSE');
  }

  /**
   * The caller hangs up while legs ring (SIP CANCEL): 127 with TechCause 487 on the caller's channel;
   * app_dial hangs the legs up with the caller's cause, 127 (TechCause 500, the SIP code chan_pjsip gives 127).
   */
  callerCancel(dial: Dial): void {
    const { s, origin } = this;
    s.hangupRequest(this.t, origin, 127);
    dial.cancelAll(127, 500, () => s.hangupRequest(this.t, origin, 16, 'SoftHangupRequest'));
    s.hangup(this.t, origin, 127, 487);
    s.deviceState(this.t, 'PJSIP/trunk', 'NOT_INUSE');
  }

  /** The caller (side a) hangs up during the talk; everything of the call hangs up, cause 16. */
  hangup(): void {
    const { s } = this;
    const talk = this.talk;
    if (!talk) throw new Error('script error: hangup() without a talk');
    const { bridge, a, b, inner } = talk;
    s.hangupRequest(this.t, a, 16);
    for (const chan of [a, b]) {
      s.varset(this.t, chan, 'BRIDGEPEER', '');
      s.varset(this.t, chan, 'BRIDGEPVTCALLID', '');
    }
    s.bridgeLeave(this.t, bridge, a);
    s.varset(this.t, a, 'ANSWEREDTIME', '6');
    s.varset(this.t, a, 'DIALEDTIME', '10');
    s.bridgeLeave(this.t, bridge, b);
    s.hangupRequest(this.t, a, 16, 'SoftHangupRequest');
    s.bridgeDestroy(this.t, bridge);
    if (inner) {
      s.hangupRequest(this.t, inner.a, 16);
      s.hangup(this.t, b, 16);
      s.bridgeLeave(this.t, inner.bridge, inner.a);
      s.hangup(this.t, inner.a, 16);
      s.bridgeLeave(this.t, inner.bridge, inner.b);
      s.bridgeDestroy(this.t, inner.bridge);
    }
    s.hangup(this.t, a, 16);
    const device = inner ? inner.b : b;
    s.hangup(this.t, device, 16);
    for (const chan of [a, device]) {
      const endpoint = /^PJSIP\/(.+)-[0-9a-f]{8}$/.exec(chan.name)?.[1];
      if (endpoint) s.deviceState(this.t, `PJSIP/${endpoint}`, 'NOT_INUSE');
    }
    this.talk = undefined;
  }

  /**
   * The agent's phone blind-transfers the caller (SIP REFER) to another extension: BlindTransfer while
   * both are still bridged, the agent's channel leaves and hangs up (no HangupRequest), then the caller's
   * channel, already at `from-internal,<target>`, leaves the bridge and runs it (a Dial follows).
   */
  blindTransfer(target: string): void {
    const { s, origin } = this;
    const talk = this.talk;
    if (!talk) throw new Error('script error: blindTransfer() without a talk');
    const transferer = talk.b;
    s.emit(this.t, {
      Event: 'BlindTransfer',
      Privilege: 'call,all',
      Result: 'Success',
      ...transferer.snapshot('Transferer'),
      ...origin.snapshot('Transferee'),
      ...bridgeFields(talk.bridge),
      IsExternal: 'Yes',
      Context: 'from-internal',
      Extension: target,
    });
    s.bridgeLeave(this.t, talk.bridge, transferer);
    s.hangup(this.t, transferer, 16);
    s.deviceState(this.t, `PJSIP/${transferer.callerNum}`, 'NOT_INUSE');
    [origin.context, origin.exten, origin.priority] = ['from-internal', target, 1];
    s.bridgeLeave(this.t, talk.bridge, origin);
    s.bridgeDestroy(this.t, talk.bridge);
    this.talk = undefined;
    this.t += 20;
    this.s.newexten(this.t, origin, 'NoOp', `Transferencia para ${target}`, { context: 'from-internal', exten: target });
  }

  /**
   * Attended transfer completed by the agent's phone (REFER with Replaces): the consult call's target
   * moves into the caller's bridge, both transferer channels hang up.
   */
  attendedTransfer(consult: CallFlow): void {
    const { s, origin } = this;
    const talk = this.talk;
    const second = consult.talk;
    if (!talk || !second) throw new Error('script error: attendedTransfer() needs both talks');
    this.t = Math.max(this.t, consult.t);
    const [transferer, secondTransferer, target] = [talk.b, second.a, second.b];
    s.chanEvent(this.t, 'MusicOnHoldStop', origin, {}, true);
    s.emit(this.t, {
      Event: 'AttendedTransfer',
      Privilege: 'call,all',
      Result: 'Success',
      ...transferer.snapshot('OrigTransferer'),
      ...bridgeFields(talk.bridge, 'Orig'),
      ...secondTransferer.snapshot('SecondTransferer'),
      ...bridgeFields(second.bridge, 'Second'),
      DestType: 'Bridge',
      DestBridgeUniqueid: talk.bridge.id,
      ...origin.snapshot('Transferee'),
      ...target.snapshot('TransferTarget'),
    });
    s.bridgeLeave(this.t, talk.bridge, transferer);
    s.bridgeLeave(this.t, second.bridge, target);
    target.linkedid = origin.linkedid;
    s.bridgeEnter(this.t, talk.bridge, target);
    s.hangupRequest(this.t, transferer, 16);
    s.hangup(this.t, transferer, 16);
    s.bridgeLeave(this.t, second.bridge, secondTransferer);
    s.bridgeDestroy(this.t, second.bridge);
    s.hangup(this.t, secondTransferer, 16);
    s.deviceState(this.t, `PJSIP/${transferer.callerNum}`, 'NOT_INUSE');
    this.talk = { bridge: talk.bridge, a: origin, b: target };
    consult.talk = undefined;
  }

  /** Puts the caller on hold (the agent's phone re-INVITEs sendonly): music starts on the caller's channel. */
  hold(): this {
    this.s.chanEvent(this.t, 'MusicOnHoldStart', this.origin, { Class: 'default' }, true);
    return this;
  }

  /**
   * Another phone picks the ringing leg up (`*8`, Pickup()): the picker's channel answers (already showing
   * the caller as its connected line), Pickup event, the picked leg hangs up 26, then the masquerade: the
   * Dial's outgoing channel becomes the picker's (DialEnd ANSWER names the picker, still with its own
   * Linkedid). The picker takes the caller's Linkedid only once both are in the bridge (Asterisk 22.10).
   */
  pickedUpBy(dial: Dial, ext: string, picker: CallFlow): void {
    const { s, origin } = this;
    this.t = Math.max(this.t, picker.t);
    const leg = dial.leg(ext);
    const pickerChan = picker.origin;
    picker.exec('Pickup', `${ext}@PICKUPMARK`, { context: 'app-pickup', exten: '*8' });
    pickerChan.connectTo(origin);
    s.newstate(this.t, pickerChan, ChanState.Up);
    s.emit(this.t, { Event: 'Pickup', Privilege: 'call,all', ...pickerChan.snapshot(), ...leg.chan.snapshot('Target') });
    leg.status = 'ended';
    s.hangupRequest(this.t, leg.chan, 16, 'SoftHangupRequest');
    s.hangup(this.t, leg.chan, 26);
    pickerChan.exten = '';
    s.connectedLine(this.t, origin, pickerChan);
    s.dialEvent(this.t, 'DialEnd', origin, pickerChan, { DialStatus: 'ANSWER' });
    if (origin.state !== ChanState.Up) s.newstate(this.t, origin, ChanState.Up);
    const bridge = s.createBridge(this.t);
    s.bridgeEnter(this.t, bridge, pickerChan);
    s.bridgeEnter(this.t, bridge, origin);
    pickerChan.linkedid = origin.linkedid;
    s.bridgePeers(this.t, origin, pickerChan);
    this.startTalk(bridge, pickerChan);
  }
}
