import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Caps an HTTP server's open connections without letting idle ones lock real clients out: at the cap, the
 * oldest connection with no request in progress (idle keep-alive, or still trickling its headers) is dropped
 * for the newcomer; only when every connection is busy is the newcomer dropped. Returns a live count.
 */
export function boundConnections(server: HttpServer, max: number, onDrop?: (which: 'oldest-idle' | 'newcomer') => void): () => number {
  const open = new Set<Socket>();
  const busy = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => {
    if (open.size >= max) {
      const victim = [...open].find((candidate) => !busy.has(candidate));
      if (!victim) {
        onDrop?.('newcomer');
        socket.destroy();
        return;
      }
      open.delete(victim);
      victim.destroy();
      onDrop?.('oldest-idle');
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    busy.add(socket);
    res.once('close', () => busy.delete(socket));
  });
  return () => open.size;
}
