import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP relay between the bridge and the live AMI that a test can cut (a network drop, a firewall
 * reload): `cut()` drops every open link and refuses new ones until `restore()`.
 */
export class AmiProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private readonly server = createServer((client) => this.relay(client));
  private listeningPort = 0;

  private constructor(private readonly targetPort: number) {}

  static async start(targetPort: number): Promise<AmiProxy> {
    const proxy = new AmiProxy(targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.listeningPort = (proxy.server.address() as { port: number }).port;
    return proxy;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Drops the links now (both sides see the connection close) and refuses reconnects. */
  cut(): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
