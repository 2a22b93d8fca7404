/**
 * Child process: a minimal Asterisk manager on 127.0.0.1 for the ingest bench. Answers Login, Events,
 * Ping, CoreShowChannels, Setvar and Logoff as Asterisk 22 does; on the parent's `blast` message it
 * writes the whole stream file to the newest client in one go, then `Event: BenchEnd`, and reports
 * when the kernel took the last byte. Runs apart so that writing costs the reader nothing. With
 * `hubsoft` as second argument it also runs the fake HubSoft here, as a remote HubSoft would be.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { startFakeHubsoft } from '../support/fake-hubsoft.js';

const stream = readFileSync(process.argv[2] ?? '');
const END = Buffer.from('Event: BenchEnd\r\nPrivilege: system,all\r\n\r\n');
let newest: Socket | undefined;

function answer(socket: Socket, block: string): void {
  const fields = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  const action = (fields.get('action') ?? '').toLowerCase();
  const id = fields.get('actionid');
  const head = `Response: Success\r\n${id ? `ActionID: ${id}\r\n` : ''}`;
  switch (action) {
    case 'login':
      socket.write(`${head}Message: Authentication accepted\r\n\r\nEvent: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n`);
      return;
    case 'ping':
      socket.write(`${head}Ping: Pong\r\nTimestamp: ${(Date.now() / 1000).toFixed(6)}\r\n\r\n`);
      return;
    case 'coreshowchannels':
      socket.write(`${head}EventList: start\r\nMessage: Channels will follow\r\n\r\nEvent: CoreShowChannelsComplete\r\n${id ? `ActionID: ${id}\r\n` : ''}EventList: Complete\r\nListItems: 0\r\n\r\n`);
      return;
    case 'logoff':
      socket.end(`Response: Goodbye\r\n${id ? `ActionID: ${id}\r\n` : ''}Message: Thanks for all the fish.\r\n\r\n`);
      return;
    default:
      socket.write(`${head}Message: OK\r\n\r\n`);
  }
}

const server = createServer((socket) => {
  newest = socket;
  let buffer = '';
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 4);
      if (block.trim()) answer(socket, block);
    }
  });
  socket.write('Asterisk Call Manager/11.0.0\r\n');
});

process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'blast') {
    const socket = newest;
    if (!socket) return process.send?.({ error: 'no client' });
    socket.write(stream);
    socket.write(END, () => process.send?.({ written: stream.length + END.length }));
  } else if (message.cmd === 'exit') {
    server.close();
    newest?.destroy();
    process.exit(0);
  }
});

const hubsoft = process.argv[3] === 'hubsoft' ? await startFakeHubsoft() : undefined;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0, hubsoftUrl: hubsoft?.url });
});
