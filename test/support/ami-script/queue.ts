import { ChanState, type Chan } from './channel.js';
import { AGENT_NAMES } from './core.js';
import type { CallFlow } from './call.js';
import { Dial, type Leg } from './dial.js';

export interface QueueSpec {
  readonly name: string;
  readonly number: string;
  readonly strategy: 'ringall' | 'rrmemory';
  /** `pjsip`: members `PJSIP/1001`; `local`: FreePBX-style `Local/1001@from-queue/n`. */
  readonly members: 'pjsip' | 'local';
}

interface Attempt {
  readonly ext: string;
  readonly dial: Dial;
  readonly leg: Leg;
  readonly startedAt: number;
}

/** The caller waiting in app_queue, and app_queue ringing its members. */
export class QueueRun {
  private attempts: Attempt[] = [];
  private readonly joinedAt: number;

  constructor(
    private readonly call: CallFlow,
    readonly spec: QueueSpec,
  ) {
    const { s, origin } = call;
    call.goto('ext-queues', spec.number, `Fila ${spec.name} de ${origin.callerNum}`);
    call.answerCaller();
    call.set('__QUEUENUM', spec.number);
    call.exec('Queue', `${spec.name},tT,,,120`);
    for (const v of ['ANSWEREDTIME', 'ANSWEREDTIME_MS', 'DIALEDTIME', 'DIALEDTIME_MS', 'QUEUEWAIT', 'QUEUEWAIT_MS']) s.varset(call.t, origin, v, '');
    s.deviceState(call.t, `Queue:${spec.name}`, 'RINGING');
    s.chanEvent(call.t, 'QueueCallerJoin', origin, { Queue: spec.name, Position: '1', Count: '1' }, false, 'agent,all');
    s.chanEvent(call.t, 'MusicOnHoldStart', origin, { Class: 'default' }, true);
    this.joinedAt = call.t;
  }

  private iface(ext: string): string {
    return this.spec.members === 'local' ? `Local/${ext}@from-queue/n` : `PJSIP/${ext}`;
  }

  /** app_queue rings these members (AgentCalled + DialBegin each); they start ringing ~30 ms later. */
  ring(exts: readonly string[]): this {
    const { call, spec } = this;
    const targets = exts.map((ext) => (spec.members === 'local' ? { local: `${ext}@from-queue`, dials: [ext] } : ext));
    const dial = new Dial(call, call.origin, targets, {
      byQueue: true,
      beforeDialBegin: (leg) => {
        // app_queue puts a Local member's `;1` at the queue's number and shows it the caller (AgentCalled
        // and later events carry that; the DialBegin right after still has the old snapshot).
        if (leg.local) [leg.chan.exten, leg.chan.connNum, leg.chan.connName] = [spec.number, call.origin.callerNum, call.origin.callerName];
        this.agentEvent('AgentCalled', leg);
      },
    });
    for (const leg of dial.legs) this.attempts.push({ ext: leg.ext, dial, leg, startedAt: call.t });
    call.t += 30;
    dial.ringAll();
    return this;
  }

  private agentEvent(event: string, leg: Leg, extra: Record<string, string> = {}): void {
    const { call, spec } = this;
    const dest = leg.chan.snapshot('Dest');
    call.s.emit(call.t, {
      Event: event,
      Privilege: 'agent,all',
      ...call.origin.snapshot(),
      ...dest,
      Queue: spec.name,
      Interface: this.iface(leg.ext),
      MemberName: AGENT_NAMES[leg.ext] ?? leg.ext,
      ...extra,
    });
  }

  private live(ext: string): Attempt {
    const attempt = this.attempts.find((a) => a.ext === ext && a.leg.status === 'ringing');
    if (!attempt) throw new Error(`script error: ${ext} is not ringing in ${this.spec.name}`);
    return attempt;
  }

  private ringingAttempts(): Attempt[] {
    return this.attempts.filter((a) => a.leg.status === 'ringing');
  }

  private seconds(since: number): string {
    return String(Math.round((this.call.t - since) / 1000));
  }

  /**
   * The member's ring timeout: AgentRingNoAnswer, DialEnd NOANSWER, DialEnd CANCEL (hangupcalls), hang-up.
   * AgentRingNoAnswer's RingTime is the member's ring timeout in milliseconds (`15000`; AgentConnect's is seconds).
   */
  ringNoAnswer(ext: string): this {
    const attempt = this.live(ext);
    this.agentEvent('AgentRingNoAnswer', attempt.leg, { RingTime: String(Math.floor((this.call.t - attempt.startedAt) / 1000) * 1000) });
    attempt.dial.end(attempt.leg, 'NOANSWER');
    attempt.dial.end(attempt.leg, 'CANCEL');
    attempt.dial.drop(attempt.leg, 0);
    return this;
  }

  /** A member answers: the others are cancelled (their DialEnd CANCEL twice), AgentConnect, bridge. */
  answer(ext: string): this {
    const { call } = this;
    const { s, origin } = call;
    const attempt = this.live(ext);
    const others = this.ringingAttempts().filter((a) => a !== attempt);
    const leg = attempt.leg;
    let inner: { bridge: ReturnType<typeof s.createBridge>; a: Chan; b: Chan } | undefined;
    if (leg.local) {
      const answered = leg.local.inner!.answer(ext, { enterCaller: false });
      inner = { bridge: answered.bridge, a: leg.local.two, b: answered.leg.chan };
      s.newstate(call.t, leg.chan, ChanState.Up);
      s.owedCallerid(call.t, leg.chan);
    } else {
      s.newstate(call.t, leg.chan, ChanState.Up);
      s.deviceState(call.t, `PJSIP/${ext}`, 'INUSE');
    }
    leg.status = 'answered';
    attempt.dial.end(leg, 'ANSWER');
    for (const other of others) other.dial.end(other.leg, 'CANCEL');
    s.connectedLine(call.t, origin, leg.chan);
    for (const other of others) {
      other.dial.end(other.leg, 'CANCEL');
      other.dial.drop(other.leg, 26);
    }
    s.chanEvent(call.t, 'MusicOnHoldStop', origin, {}, true);
    s.varset(call.t, origin, 'MEMBERINTERFACE', this.iface(ext));
    s.varset(call.t, origin, 'MEMBERNAME', AGENT_NAMES[ext] ?? ext);
    if (inner) {
      s.bridgeEnter(call.t, inner.bridge, inner.a);
      s.bridgePeers(call.t, inner.a, inner.b, 1);
    }
    s.varset(call.t, origin, 'QUEUESTRATEGY', this.spec.strategy);
    s.deviceState(call.t, `Queue:${this.spec.name}`, 'NOT_INUSE');
    s.chanEvent(call.t, 'QueueCallerLeave', origin, { Queue: this.spec.name, Position: '1', Count: '0' }, false, 'agent,all');
    const hold = this.seconds(this.joinedAt);
    this.agentEvent('AgentConnect', leg, { HoldTime: hold, RingTime: this.seconds(attempt.startedAt) });
    const bridge = s.createBridge(call.t);
    s.bridgeEnter(call.t, bridge, leg.chan);
    s.bridgeEnter(call.t, bridge, origin);
    s.bridgePeers(call.t, origin, leg.chan);
    call.startTalk(bridge, leg.chan, inner);
    this.connected = { leg, hold, at: call.t };
    return this;
  }

  private connected?: { leg: Leg; hold: string; at: number };

  /** The caller hangs up after talking: AgentComplete (Reason caller), then every channel hangs up. */
  complete(): void {
    const { call } = this;
    if (!this.connected) throw new Error('script error: complete() before answer()');
    this.agentEvent('AgentComplete', this.connected.leg, { HoldTime: this.connected.hold, TalkTime: this.seconds(this.connected.at), Reason: 'caller' });
    call.hangup();
  }

  /**
   * The caller gives up while members ring. Its channel was answered (the queue did), so it sends BYE, not
   * CANCEL: HangupRequest without a Cause, and its Hangup has cause 0 (no TechCause). DialEnd CANCEL twice
   * per member, QueueCallerAbandon, QueueCallerLeave. Members hang up with cause 0; a Local member's
   * devices with 16 (the `;2`'s Dial has no cause of its own). PJSIP members' Hangups come after
   * QueueCallerAbandon, Local members' before it (both as recorded from Asterisk 22.10).
   */
  abandon(): void {
    const { call } = this;
    const { s, origin } = call;
    const ringing = this.ringingAttempts();
    s.hangupRequest(call.t, origin);
    for (const a of ringing) a.dial.end(a.leg, 'CANCEL');
    const local = this.spec.members === 'local';
    for (const a of ringing) {
      a.dial.end(a.leg, 'CANCEL');
      if (local) a.dial.drop(a.leg, 0);
    }
    s.chanEvent(call.t, 'MusicOnHoldStop', origin, {}, true);
    s.varset(call.t, origin, 'QUEUESTRATEGY', this.spec.strategy);
    s.chanEvent(call.t, 'QueueCallerAbandon', origin, { Queue: this.spec.name, Position: '1', OriginalPosition: '1', HoldTime: this.seconds(this.joinedAt) }, false, 'agent,all');
    if (!local) for (const a of ringing) a.dial.drop(a.leg, 0);
    s.deviceState(call.t, `Queue:${this.spec.name}`, 'NOT_INUSE');
    s.chanEvent(call.t, 'QueueCallerLeave', origin, { Queue: this.spec.name, Position: '1', Count: '0' }, false, 'agent,all');
    s.hangupRequest(call.t, origin, 16, 'SoftHangupRequest');
    s.hangup(call.t, origin, 0);
    s.deviceState(call.t, 'PJSIP/trunk', 'NOT_INUSE');
  }
}
