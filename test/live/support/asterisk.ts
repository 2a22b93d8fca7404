import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAmiUser } from '../../../src/ops/install/ami-user.js';
import { silentWav } from '../../support/wav.js';
import { freeTcpPort, freeUdpPort, freeUdpPorts, freeUdpRange } from './ports.js';
import { isAlive, spawnTracked, stopProcess, type Spawned } from './processes.js';
import { RawAmi } from './raw-ami.js';

const TEMPLATES = fileURLToPath(new URL('../asterisk/', import.meta.url));

/** FreePBX 17-shaped config tree, or the plain Asterisk one. */
export type Variant = 'freepbx' | 'plain';

export interface AsteriskPorts {
  readonly sip: number;
  readonly ami: number;
  readonly rtp: { readonly start: number; readonly end: number };
  /** SIPp UAS listening ports: one per phone, plus the carrier (the trunk's outbound side). */
  readonly phones: Readonly<Record<'1001' | '1002' | '1003' | '1003b', number>>;
  readonly carrier: number;
}

/** The AMI user the bridge logs in with: exactly what `install` writes (same classes, same event filters). */
export const BRIDGE_AMI = { username: 'bridge', secret: 'live-bridge-secret' } as const;
/** An all-powerful user for the tests themselves (recording, Getvar, UserEvent). */
export const TESTER_AMI = { username: 'admin', secret: 'live-admin-secret' } as const;

export interface AsteriskOptions {
  readonly prefix: string;
  readonly variant: Variant;
  /** Seconds a direct call rings before voicemail; hunt members; the longest a caller waits in a queue. */
  readonly ringSeconds?: number;
  readonly huntSeconds?: number;
  readonly queueMaxSeconds?: number;
  /** Extra files written into the config dir after the templates (name -> text), e.g. extensions_custom.conf. */
  readonly files?: Readonly<Record<string, string>>;
  /** Prompts the dialplan plays, generated as short silent WAVs (vm-*, beep and digits are always there). */
  readonly prompts?: readonly string[];
  /**
   * Put the config dir at RUN/root/etc/asterisk, so `install --root RUN/root` writes into the live
   * instance's own config (`root` then names RUN/root).
   */
  readonly underRoot?: boolean;
}

const BASE_PROMPTS = [
  'beep', 'vm-theperson', 'vm-isunavail', 'vm-isonphone', 'vm-intro', 'vm-goodbye', 'vm-msgsaved', 'vm-extension',
  'auth-thankyou', 'pbx-invalid', 'queue-thankyou', 'queue-youarenext', 'queue-thereare', 'queue-callswaiting',
  'queue-holdtime', 'queue-minutes', 'queue-seconds', 'queue-thankyou', 'queue-reporthold', 'pbx-transfer',
  'pbx-invalidpark', 'beeperr', 'silence/1', ...Array.from({ length: 10 }, (_, digit) => `digits/${digit}`),
];

/**
 * A private Asterisk on 127.0.0.1: its own config (from test/live/asterisk/), run, log, spool and data
 * directories in a temp dir, free ports, started in the foreground as our child and stopped by pid.
 */
export class LiveAsterisk {
  private process: Spawned | undefined;

  private constructor(
    readonly prefix: string,
    readonly variant: Variant,
    readonly run: string,
    readonly ports: AsteriskPorts,
    /** The tree `install --root` works in (RUN/root), when created with underRoot. */
    readonly root: string | undefined,
  ) {}

  /** The config dir (astetcdir). */
  get etc(): string {
    return this.root ? join(this.root, 'etc', 'asterisk') : join(this.run, 'etc');
  }

  /** asterisk.conf lives beside the run dirs, so the config dir holds only what a PBX's /etc/asterisk holds. */
  get asteriskConf(): string {
    return join(this.run, 'asterisk.conf');
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  static async create(options: AsteriskOptions): Promise<LiveAsterisk> {
    const run = mkdtempSync(join(tmpdir(), `live-asterisk-${options.variant}-`));
    const [phone1001, phone1002, phone1003, phone1003b, carrier] = await freeUdpPorts(5);
    const ports: AsteriskPorts = {
      sip: await freeUdpPort(),
      ami: await freeTcpPort(),
      rtp: await freeUdpRange(40),
      phones: { '1001': phone1001!, '1002': phone1002!, '1003': phone1003!, '1003b': phone1003b! },
      carrier: carrier!,
    };
    const asterisk = new LiveAsterisk(options.prefix, options.variant, run, ports, options.underRoot ? join(run, 'root') : undefined);
    asterisk.writeConfig(options);
    asterisk.writeData(options.prompts ?? []);
    return asterisk;
  }

  /** Starts Asterisk and waits until it is fully booted (AMI login answers and FullyBooted arrives). */
  async start(timeoutMs = 30000): Promise<void> {
    for (const dir of ['run', 'log', 'spool', 'lib', 'db', 'lib/agi-bin']) mkdirSync(join(this.run, dir), { recursive: true });
    this.process = spawnTracked('asterisk', `${this.prefix}/sbin/asterisk`, ['-f', '-n', '-C', this.asteriskConf], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!isAlive(this.process.pid)) throw new Error(`Asterisk exited at start; see ${this.run}/log/messages.log\n${this.logTail()}`);
      try {
        const ami = await RawAmi.login(this.ports.ami, TESTER_AMI.username, TESTER_AMI.secret, 2000);
        try {
          await ami.waitForEvent((event) => event.Event === 'FullyBooted', Math.max(100, deadline - Date.now()), 'FullyBooted');
        } finally {
          await ami.logoff();
        }
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`Asterisk not fully booted within ${timeoutMs} ms: ${String(error)}\n${this.logTail()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Stops this Asterisk by pid (SIGTERM, then SIGKILL) and waits until it is gone. */
  async stop(): Promise<void> {
    if (this.process) await stopProcess(this.process, 5000);
    this.process = undefined;
  }

  /** Stops it and removes its temp dir. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.run, { recursive: true, force: true });
  }

  /** One CLI command through the control socket (`asterisk -rx`). */
  cli(command: string): string {
    const result = spawnSync(`${this.prefix}/sbin/asterisk`, ['-C', this.asteriskConf, '-rx', command], { encoding: 'utf8', timeout: 15000 });
    if (result.status !== 0) throw new Error(`asterisk -rx "${command}" failed: ${result.stderr || result.stdout}`);
    return result.stdout;
  }

  /** A logged-in AMI client with every privilege (close it with logoff()). */
  tester(): Promise<RawAmi> {
    return RawAmi.login(this.ports.ami, TESTER_AMI.username, TESTER_AMI.secret);
  }

  /** messages.log as Asterisk wrote it so far. */
  log(): string {
    const file = join(this.run, 'log', 'messages.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  logTail(lines = 30): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }

  /** Writes a file into the config dir (then `dialplan reload` or `module reload`). */
  writeConfigFile(name: string, text: string): void {
    writeFileSync(join(this.etc, name), text);
  }

  private writeConfig(options: AsteriskOptions): void {
    const tokens: Record<string, string> = {
      RUN: this.run,
      ETC: this.etc,
      PREFIX: this.prefix,
      SIP_PORT: String(this.ports.sip),
      AMI_PORT: String(this.ports.ami),
      RTP_START: String(this.ports.rtp.start),
      RTP_END: String(this.ports.rtp.end),
      PHONE_1001: String(this.ports.phones['1001']),
      PHONE_1002: String(this.ports.phones['1002']),
      PHONE_1003: String(this.ports.phones['1003']),
      CARRIER_PORT: String(this.ports.carrier),
      TESTER_SECRET: TESTER_AMI.secret,
      BRIDGE_USER: renderAmiUser({ username: BRIDGE_AMI.username, secret: BRIDGE_AMI.secret, eventFilter: true }),
      RING_S: String(options.ringSeconds ?? 4),
      HUNT_S: String(options.huntSeconds ?? 2),
      QUEUE_MAX_S: String(options.queueMaxSeconds ?? 20),
    };
    mkdirSync(this.etc, { recursive: true });
    for (const source of ['common', options.variant]) {
      for (const name of readdirSync(join(TEMPLATES, source))) {
        const text = readFileSync(join(TEMPLATES, source, name), 'utf8').replace(/@@([A-Z0-9_]+)@@/g, (_, key: string) => {
          const value = tokens[key];
          if (value === undefined) throw new Error(`template ${source}/${name}: unknown token ${key}`);
          return value;
        });
        writeFileSync(name === 'asterisk.conf' ? this.asteriskConf : join(this.etc, name), text);
      }
    }
    for (const [name, text] of Object.entries(options.files ?? {})) this.writeConfigFile(name, text);
  }

  /** astdatadir: the build's documentation (Asterisk needs it to start) and silent prompts. */
  private writeData(prompts: readonly string[]): void {
    const data = join(this.run, 'data');
    const built = join(this.prefix, 'var', 'lib', 'asterisk');
    mkdirSync(join(data, 'moh'), { recursive: true });
    for (const entry of existsSync(built) ? readdirSync(built) : []) {
      if (entry !== 'sounds' && entry !== 'moh') symlinkSync(join(built, entry), join(data, entry));
    }
    const wav = silentWav(800);
    writeFileSync(join(data, 'moh', 'silence.wav'), wav);
    for (const prompt of [...BASE_PROMPTS, ...prompts]) {
      const file = join(data, 'sounds', 'en', `${prompt}.wav`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, wav);
    }
  }

  /** Copies the whole config dir aside (install/uninstall compare against it byte for byte). */
  snapshotConfig(to: string): void {
    cpSync(this.etc, to, { recursive: true });
  }
}
