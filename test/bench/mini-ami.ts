import { createServer, type Socket } from 'node:net';

/**
 * A minimal Asterisk manager on 127.0.0.1 for the benches: answers Login, Events, Ping,
 * CoreShowChannels (empty), Logoff and anything else (Setvar...) with Success, as Asterisk 22 shapes
 * them; `send` writes raw wire text to every client at once (TCP_NODELAY, as the timing needs).
 */
export interface MiniAmi {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The newest client, for writes with a completion callback. */
  newest(): Socket | undefined;
  send(text: string | Buffer): void;
  close(): Promise<void>;
}

function answer(socket: Socket, block: string): void {
  const fields = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  const action = (fields.get('action') ?? '').toLowerCase();
  const id = fields.get('actionid');
  const idLine = id ? `ActionID: ${id}\r\n` : '';
  const head = `Response: Success\r\n${idLine}`;
  switch (action) {
    case 'login':
      socket.write(`${head}Message: Authentication accepted\r\n\r\nEvent: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n`);
      return;
    case 'ping':
      socket.write(`${head}Ping: Pong\r\nTimestamp: ${(Date.now() / 1000).toFixed(6)}\r\n\r\n`);
      return;
    case 'coreshowchannels':
      socket.write(`${head}EventList: start\r\nMessage: Channels will follow\r\n\r\nEvent: CoreShowChannelsComplete\r\n${idLine}EventList: Complete\r\nListItems: 0\r\n\r\n`);
      return;
    case 'logoff':
      socket.end(`Response: Goodbye\r\n${idLine}Message: Thanks for all the fish.\r\n\r\n`);
      return;
    default:
      socket.write(`${head}Message: OK\r\n\r\n`);
  }
}

export async function startMiniAmi(): Promise<MiniAmi> {
  const clients = new Set<Socket>();
  let newest: Socket | undefined;
  const server = createServer((socket) => {
    clients.add(socket);
    newest = socket;
    let buffer = '';
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => clients.delete(socket));
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    newest: () => newest,
    send(text) {
      for (const socket of clients) if (!socket.destroyed) socket.write(text);
    },
    async close() {
      for (const socket of clients) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
