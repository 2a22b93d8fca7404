import { createServer, type Server, type Socket } from 'node:net';
import { eventsAfterLogin, field, frameToWire, type AmiFrame, type AmiFrameLines, type Transcript } from './transcript.js';

/**
 * A fake Asterisk manager on 127.0.0.1 that answers as Asterisk 22's manager.c does:
 * banner, CRLF frames, responses in `Response / ActionID / Message` order, the session
 * closed after a refused Login (Asterisk returns -1 from action_login), EventMask applied
 * to events by their Privilege classes.
 */
export interface FakeAmiOptions {
  readonly username?: string;
  readonly secret?: string;
  readonly banner?: string;
  /** Rows for CoreShowChannels (fields after Event/ActionID, e.g. { Channel, Uniqueid, Linkedid, ... }). */
  readonly channels?: readonly AmiFrame[];
  /** When set, Setvar on a channel not in this list answers `No such channel`. */
  readonly knownChannels?: readonly string[];
  /** Asterisk sleeps 1 s before refusing a login; 0 here unless a test wants it. */
  readonly loginFailureDelayMs?: number;
  /** Filter events by the session's EventMask (default true, as Asterisk does). */
  readonly applyEventMask?: boolean;
  /** Uptime (seconds) the fake has at start, reported by FullyBooted on login. Default 0. */
  readonly uptimeSeconds?: number;
  /** Answer a correct Login with this Response value instead of Success (a proxy or a broken peer). */
  readonly loginResponse?: string;
}

export interface RecordedAction {
  /** Which TCP connection sent it (1-based, in accept order). */
  readonly session: number;
  /** The Action value as sent. */
  readonly action: string;
  /** Every field as sent, keys in the sender's case. */
  readonly fields: AmiFrame;
}

export interface FakeAmi {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly actions: readonly RecordedAction[];
  /** TCP connections accepted so far. */
  readonly sessions: number;
  /** Clients logged in right now. */
  readonly loggedIn: number;
  readonly loginAttempts: number;
  readonly logins: number;
  /** Setvar actions that succeeded, in order. */
  readonly variables: readonly { readonly channel: string | undefined; readonly variable: string; readonly value: string }[];
  setChannels(channels: readonly AmiFrame[]): void;
  /** Writes frames (or raw wire text) to every logged-in client; returns how many clients got them. */
  send(frames: string | AmiFrame | AmiFrameLines | readonly (AmiFrame | AmiFrameLines)[]): number;
  /** Streams the events a recording received after its Login response; resolves with the count written. */
  replay(transcript: Transcript, options?: { from?: number; skip?: readonly string[] }): Promise<number>;
  /** Writes half an event to every client, then destroys their sockets. */
  dropMidFrame(): Promise<void>;
  /** Closes every client socket cleanly. */
  dropAll(): void;
  /** Simulates an Asterisk restart: every client is dropped, no channel is left, Uptime starts again from 0. */
  restart(): void;
  stallPings(stalled: boolean): void;
  /** Resolves with the nth (1-based) recorded action of that name (case-insensitive). */
  waitForAction(name: string, timeoutMs?: number, nth?: number): Promise<RecordedAction>;
  /** Resolves once `nth` logins succeeded in total. */
  waitForLogin(timeoutMs?: number, nth?: number): Promise<void>;
  close(): Promise<void>;
}

interface Client {
  readonly id: number;
  readonly socket: Socket;
  buffer: string;
  authenticated: boolean;
  /** Event classes the client wants; undefined = all. */
  mask: ReadonlySet<string> | undefined;
}

interface Waiter {
  readonly check: () => boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

const NO_EVENTS: ReadonlySet<string> = new Set();
const CRLF = '\r\n';

export async function startFakeAmi(options: FakeAmiOptions = {}): Promise<FakeAmi> {
  const username = options.username ?? 'bridge';
  const secret = options.secret ?? 'amisecret';
  const banner = options.banner ?? 'Asterisk Call Manager/11.0.0';
  const applyMask = options.applyEventMask ?? true;
  let startedAt = Date.now() - (options.uptimeSeconds ?? 0) * 1000;
  let channels = options.channels ?? [];
  const clients = new Set<Client>();
  const actions: RecordedAction[] = [];
  const variables: { channel: string | undefined; variable: string; value: string }[] = [];
  const waiters = new Set<Waiter>();
  let sessions = 0;
  let loginAttempts = 0;
  let logins = 0;
  let pingsStalled = false;

  const notify = () => {
    for (const waiter of [...waiters]) {
      if (!waiter.check()) continue;
      waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  };
  const waitFor = (what: string, timeoutMs: number, check: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      if (check()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`FakeAmi: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter = { check, resolve, reject, timer };
      waiters.add(waiter);
    });

  const write = (client: Client, text: string) => {
    if (!client.socket.destroyed && client.socket.writable) client.socket.write(text);
  };
  const respond = (client: Client, actionId: string | undefined, response: string, rest: readonly (readonly [string, string])[] = []) => {
    const lines: (readonly [string, string])[] = [['Response', response]];
    if (actionId) lines.push(['ActionID', actionId]);
    write(client, frameToWire([...lines, ...rest]));
  };
  const wants = (client: Client, frame: AmiFrame): boolean => {
    if (!applyMask || client.mask === undefined) return true;
    const privilege = field(frame, 'Privilege');
    if (privilege === undefined) return true;
    const classes = privilege.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'all');
    return classes.every((c) => client.mask?.has(c));
  };
  const parseMask = (value: string | undefined): ReadonlySet<string> | undefined => {
    const v = (value ?? '').trim().toLowerCase();
    if (v === '' || v === 'on' || v === 'all') return undefined;
    if (v === 'off' || v === 'none') return NO_EVENTS;
    return new Set(v.split(',').map((c) => c.trim()).filter(Boolean));
  };

  const handle = (client: Client, frame: AmiFrame) => {
    const actionName = field(frame, 'Action') ?? '';
    const actionId = field(frame, 'ActionID');
    const action = actionName.toLowerCase();
    const record = () => {
      actions.push({ session: client.id, action: actionName, fields: frame });
      notify();
    };
    if (action === '') {
      respond(client, actionId, 'Error', [['Message', 'Missing action in request']]);
      return record();
    }
    if (!client.authenticated && action !== 'login' && action !== 'logoff' && action !== 'challenge') {
      respond(client, actionId, 'Error', [['Message', 'Permission denied']]);
      return record();
    }
    switch (action) {
      case 'login': {
        if (client.authenticated) {
          respond(client, actionId, 'Success', [['Message', 'Already authenticated']]);
          return record();
        }
        loginAttempts += 1;
        if (field(frame, 'Username') !== username || field(frame, 'Secret') !== secret) {
          record();
          setTimeout(() => {
            respond(client, actionId, 'Error', [['Message', 'Authentication failed']]);
            client.socket.end();
          }, options.loginFailureDelayMs ?? 0);
          return;
        }
        if (options.loginResponse !== undefined) {
          respond(client, actionId, options.loginResponse, [['Message', 'Not really']]);
          return record();
        }
        client.authenticated = true;
        client.mask = parseMask(field(frame, 'Events'));
        respond(client, actionId, 'Success', [['Message', 'Authentication accepted']]);
        const uptime = String(Math.floor((Date.now() - startedAt) / 1000));
        const booted: AmiFrame = { Event: 'FullyBooted', Privilege: 'system,all', Uptime: uptime, LastReload: uptime, Status: 'Fully Booted' };
        if (wants(client, booted)) write(client, frameToWire(booted));
        logins += 1;
        return record();
      }
      case 'ping': {
        if (!pingsStalled) {
          const now = Date.now();
          const timestamp = `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')}`;
          respond(client, actionId, 'Success', [['Ping', 'Pong'], ['Timestamp', timestamp]]);
        }
        return record();
      }
      case 'events': {
        client.mask = parseMask(field(frame, 'EventMask'));
        respond(client, actionId, 'Success', [['Events', client.mask === NO_EVENTS ? 'Off' : 'On']]);
        return record();
      }
      case 'setvar': {
        const channel = field(frame, 'Channel') || undefined;
        const variable = field(frame, 'Variable') ?? '';
        if (!variable) respond(client, actionId, 'Error', [['Message', 'No variable specified']]);
        else if (channel !== undefined && options.knownChannels && !options.knownChannels.includes(channel)) {
          respond(client, actionId, 'Error', [['Message', 'No such channel']]);
        } else {
          variables.push({ channel, variable, value: field(frame, 'Value') ?? '' });
          respond(client, actionId, 'Success', [['Message', 'Variable Set']]);
        }
        return record();
      }
      case 'coreshowchannels': {
        const id: (readonly [string, string])[] = actionId ? [['ActionID', actionId]] : [];
        let text = frameToWire([['Response', 'Success'], ...id, ['EventList', 'start'], ['Message', 'Channels will follow']]);
        for (const row of channels) text += frameToWire([['Event', 'CoreShowChannel'], ...id, ...Object.entries(row)]);
        text += frameToWire([['Event', 'CoreShowChannelsComplete'], ...id, ['EventList', 'Complete'], ['ListItems', String(channels.length)]]);
        write(client, text);
        return record();
      }
      case 'logoff': {
        respond(client, actionId, 'Goodbye', [['Message', 'Thanks for all the fish.']]);
        client.socket.end();
        return record();
      }
      default:
        respond(client, actionId, 'Error', [['Message', 'Invalid/unknown command']]);
        return record();
    }
  };

  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    sessions += 1;
    const client: Client = { id: sessions, socket, buffer: '', authenticated: false, mask: undefined };
    clients.add(client);
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clients.delete(client);
      notify();
    });
    socket.on('data', (chunk: string) => {
      client.buffer += chunk;
      for (let end = client.buffer.search(/\r?\n\r?\n/); end >= 0; end = client.buffer.search(/\r?\n\r?\n/)) {
        const block = client.buffer.slice(0, end);
        const sep = /\r?\n\r?\n/.exec(client.buffer.slice(end));
        client.buffer = client.buffer.slice(end + (sep?.[0].length ?? 2));
        const frame: Record<string, string> = {};
        for (const line of block.split(/\r?\n/)) {
          const at = line.indexOf(':');
          if (at <= 0) continue;
          const key = line.slice(0, at).trim();
          if (!Object.hasOwn(frame, key)) frame[key] = line.slice(at + 1).replace(/^ /, '');
        }
        if (Object.keys(frame).length > 0) handle(client, frame);
      }
    });
    socket.write(banner + CRLF);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('FakeAmi: no TCP address');

  const loggedInClients = () => [...clients].filter((c) => c.authenticated && !c.socket.destroyed);
  const toText = (client: Client, frames: readonly (AmiFrame | AmiFrameLines)[]) =>
    frames
      .filter((f) => wants(client, Array.isArray(f) ? Object.fromEntries(f as AmiFrameLines) : (f as AmiFrame)))
      .map(frameToWire)
      .join('');

  return {
    host: '127.0.0.1',
    port: address.port,
    actions,
    variables,
    get sessions() {
      return sessions;
    },
    get loggedIn() {
      return loggedInClients().length;
    },
    get loginAttempts() {
      return loginAttempts;
    },
    get logins() {
      return logins;
    },
    setChannels(list) {
      channels = list;
    },
    send(frames) {
      const targets = loggedInClients();
      if (Array.isArray(frames) && frames.length === 0) return targets.length;
      for (const client of targets) {
        if (typeof frames === 'string') write(client, frames);
        else if (isFrameList(frames)) write(client, toText(client, frames));
        else write(client, toText(client, [frames as AmiFrame | AmiFrameLines]));
      }
      return targets.length;
    },
    async replay(transcript, replayOptions = {}) {
      const skip = new Set((replayOptions.skip ?? []).map((s) => s.toLowerCase()));
      const events = eventsAfterLogin(transcript)
        .slice(replayOptions.from ?? 0)
        .filter((lines) => !skip.has((lines.find(([k]) => k.toLowerCase() === 'event')?.[1] ?? '').toLowerCase()));
      await Promise.all(
        loggedInClients().map(
          (client) => new Promise<void>((resolve) => client.socket.write(toText(client, events), () => resolve())),
        ),
      );
      return events.length;
    },
    async dropMidFrame() {
      const half = 'Event: DialBegin\r\nPrivilege: call,all\r\nChannel: PJSIP/trunk-0000';
      await Promise.all(
        [...clients].map(
          (client) =>
            new Promise<void>((resolve) => {
              client.socket.once('close', () => resolve());
              client.socket.write(half, () => client.socket.destroy());
            }),
        ),
      );
    },
    restart() {
      startedAt = Date.now();
      channels = [];
      for (const client of clients) client.socket.destroy();
    },
    dropAll() {
      for (const client of clients) client.socket.destroy();
    },
    stallPings(stalled) {
      pingsStalled = stalled;
    },
    async waitForAction(name, timeoutMs = 2000, nth = 1) {
      const wanted = name.toLowerCase();
      const matching = () => actions.filter((a) => a.action.toLowerCase() === wanted);
      await waitFor(`action ${name} #${nth}`, timeoutMs, () => matching().length >= nth);
      const found = matching()[nth - 1];
      if (!found) throw new Error(`FakeAmi: action ${name} #${nth} vanished`);
      return found;
    },
    waitForLogin(timeoutMs = 2000, nth = 1) {
      return waitFor(`login #${nth}`, timeoutMs, () => logins >= nth);
    },
    async close() {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('FakeAmi: closed'));
      }
      waiters.clear();
      for (const client of clients) client.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isFrameList(value: unknown): value is readonly (AmiFrame | AmiFrameLines)[] {
  // A frame's lines are [key, value] tuples; a list of frames holds objects or arrays of tuples.
  return Array.isArray(value) && value.length > 0 && (typeof value[0] === 'object' && !(Array.isArray(value[0]) && typeof value[0][0] === 'string'));
}
