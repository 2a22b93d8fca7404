import { connect, type Socket } from 'node:net';

/** What the fake does with each command line it receives; default: answer "200 result=1". */
export type CommandHandler = (command: string, agi: FakeAgiClient) => void;

/**
 * A fake Asterisk on the calling side of FastAGI: connects to 127.0.0.1, sends an environment block, records
 * every command line and answers it as the handler says. `finished` resolves when the server closes the socket.
 */
export class FakeAgiClient {
  readonly commands: string[] = [];
  readonly finished: Promise<void>;
  private buffer = '';

  private constructor(
    private readonly socket: Socket,
    private readonly handler: CommandHandler,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let index: number;
      while ((index = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, index);
        this.buffer = this.buffer.slice(index + 1);
        this.commands.push(line);
        this.handler(line, this);
      }
    });
    this.finished = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  static async connect(
    port: number,
    env: Readonly<Record<string, string>>,
    handler: CommandHandler = (_, agi) => agi.send('200 result=1'),
    /** Another loopback source address (127.0.0.2): for allow-list tests. */
    localAddress?: string,
  ): Promise<FakeAgiClient> {
    const socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new FakeAgiClient(socket, handler);
    const block = Object.entries(env)
      .map(([key, value]) => `${key}: ${value}\n`)
      .join('');
    socket.write(`${block}\n`);
    return client;
  }

  /** An environment block like Asterisk 22 sends for AGI(agi://127.0.0.1/SCRIPT,ARG1). */
  static environment(script: string, callerId: string, arg1?: string): Record<string, string> {
    return {
      agi_network: 'yes',
      agi_network_script: script,
      agi_request: `agi://127.0.0.1/${script}`,
      agi_channel: 'PJSIP/trunk-vivo-0000002a',
      agi_language: 'pt_BR',
      agi_type: 'PJSIP',
      agi_uniqueid: '1712345678.42',
      agi_version: '22.0.0',
      agi_callerid: callerId,
      agi_calleridname: 'unknown',
      agi_callingpres: '0',
      agi_callingani2: '0',
      agi_callington: '0',
      agi_callingtns: '0',
      agi_dnid: '3732220000',
      agi_rdnis: 'unknown',
      agi_context: 'hubsoft-alerts',
      agi_extension: 's',
      agi_priority: '3',
      agi_enhanced: '0.0',
      agi_accountcode: '',
      agi_threadid: '140245',
      ...(arg1 !== undefined ? { agi_arg_1: arg1 } : {}),
    };
  }

  send(line: string): void {
    if (!this.socket.destroyed) this.socket.write(`${line}\n`);
  }

  /** The caller hangs up: Asterisk sends HANGUP and then closes the socket. */
  hangUp(): void {
    this.send('HANGUP');
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
