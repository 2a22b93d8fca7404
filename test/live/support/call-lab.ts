import { createSocket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LiveAsterisk } from './asterisk.js';
import { freeUdpPort } from './ports.js';
import { RawAmi } from './raw-ami.js';
import { Sipp } from './sipp.js';

export type Extension = '1001' | '1002' | '1003' | '1003b';
type Vars = Readonly<Record<string, string | number>>;

const RECORDINGS = fileURLToPath(new URL('../../fixtures/ami/live/', import.meta.url));

/** True once something (a SIPp phone) has bound the UDP port. */
function udpBound(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(true));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(false)));
  });
}

/**
 * The phones, the carrier and the callers of one live call flow, all SIPp processes on 127.0.0.1 around
 * the live Asterisk. Phones answer at their static contacts; callers come in on the trunk (X-Carrier).
 */
export class CallLab {
  private readonly sipps: Sipp[] = [];
  private readonly callers: Sipp[] = [];

  constructor(readonly asterisk: LiveAsterisk) {}

  /** A SIPp UAS answering as this extension's phone (uas-answer, uas-ring, uas-busy, ...). */
  async phone(extension: Extension, scenario: string, vars: Vars = {}, calls = 1): Promise<Sipp> {
    return this.listen(`phone-${extension}`, this.asterisk.ports.phones[extension], scenario, vars, calls);
  }

  /** The carrier's side of the trunk: takes outbound calls (follow-me to a mobile, outbound calls). */
  async carrier(scenario: string, vars: Vars = {}, calls = 1): Promise<Sipp> {
    return this.listen('carrier', this.asterisk.ports.carrier, scenario, vars, calls);
  }

  /** An external caller dialling a DID through the trunk. */
  async inbound(did: string, caller: string, scenario = 'uac-call.xml', vars: Vars = {}): Promise<Sipp> {
    return this.dial(`caller-${caller || 'none'}`, did, scenario, { CALLER: caller, CALLERNAME: caller, CARRIER: 'lab', ...vars });
  }

  /** An extension's phone placing a call (internal, outbound, a pickup code). */
  async outgoing(extension: Extension, number: string, scenario = 'uac-call.xml', vars: Vars = {}): Promise<Sipp> {
    return this.dial(`ext-${extension}-to-${number}`, number, scenario, { CALLER: extension, CALLERNAME: extension, CARRIER: 'none', ...vars });
  }

  /** Registers a second device for an extension at the port of `device` (1003b). */
  async register(extension: Extension, device: Extension): Promise<void> {
    const port = await freeUdpPort();
    const sipp = Sipp.start(`register-${extension}`, {
      scenario: 'register.xml',
      port,
      remote: { port: this.asterisk.ports.sip, service: extension },
      vars: { USER: extension, CONTACT_PORT: this.asterisk.ports.phones[device] },
      timeoutSeconds: 10,
    });
    await sipp.done(15000);
  }

  /**
   * Waits for every SIPp of the flow to end by itself (a failed call fails the flow): the callers first,
   * then the phones, which end a few seconds after the last caller at most (a phone still waiting then
   * was never rung as the flow meant).
   */
  async finish(timeoutMs = 30000, phonesAfterCallersMs = 8000): Promise<void> {
    const callers = await Promise.allSettled(this.callers.map((sipp) => sipp.done(timeoutMs)));
    const phones = await Promise.allSettled(this.sipps.filter((sipp) => !this.callers.includes(sipp)).map((sipp) => sipp.done(phonesAfterCallersMs)));
    const results = [...callers, ...phones];
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length > 0) throw new Error(failed.map((result) => String(result.reason)).join('\n\n'));
  }

  /** Stops whatever SIPp is still running (after a failure, or a phone that is no longer needed). */
  async stop(): Promise<void> {
    await Promise.all(this.sipps.map((sipp) => sipp.stop()));
  }

  private async listen(label: string, port: number, scenario: string, vars: Vars, calls: number): Promise<Sipp> {
    const sipp = Sipp.start(label, { scenario, port, calls, vars });
    this.sipps.push(sipp);
    const deadline = Date.now() + 5000;
    while (!(await udpBound(port))) {
      if (Date.now() > deadline) throw new Error(`SIPp ${label} did not bind 127.0.0.1:${port}\n${sipp.errors()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return sipp;
  }

  private async dial(label: string, number: string, scenario: string, vars: Vars): Promise<Sipp> {
    const port = await freeUdpPort();
    const sipp = Sipp.start(label, { scenario, port, remote: { port: this.asterisk.ports.sip, service: number }, vars });
    this.sipps.push(sipp);
    this.callers.push(sipp);
    return sipp;
  }
}

/**
 * Records the AMI stream of one flow as a client with read=all receives it (banner to Goodbye), the
 * shape of the fixtures in test/fixtures/ami/. Saved under test/fixtures/ami/live/ when LIVE_RECORD=1.
 */
export class FlowRecorder {
  private constructor(
    private readonly name: string,
    private readonly ami: RawAmi,
  ) {}

  static async start(asterisk: LiveAsterisk, name: string): Promise<FlowRecorder> {
    return new FlowRecorder(name, await asterisk.tester());
  }

  /** Logs off; returns the session's bytes and saves them when recording is on. */
  async finish(): Promise<Buffer> {
    await this.ami.logoff();
    const bytes = this.ami.recording();
    if (process.env.LIVE_RECORD === '1') {
      mkdirSync(RECORDINGS, { recursive: true });
      writeFileSync(`${RECORDINGS}${this.name}.ami`, bytes);
    }
    return bytes;
  }
}
