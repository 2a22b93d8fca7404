/**
 * Our own typings for asterisk-manager 0.2.0 (lib/ami.js), written from its source:
 * the DefinitelyTyped package describes a different API. Only test/support/library-session.ts
 * may import the library; the rest of the bridge sees AmiEvent/AmiResponse.
 *
 * What the library does, as typed here:
 * - Frames on blank lines (`\r?\n`), drops the `Asterisk Call Manager/x.y.z` banner,
 *   splits each line on the first `': '`, trims and LOWER-CASES the key.
 * - A repeated key becomes an array of its values in arrival order (`event` is then
 *   reduced to its first value). `variable` and `chanvariable` lines become an object
 *   `{ NAME: value }` split on the first `=` (a bare `Variable: NAME` gives `{ NAME: '' }`).
 * - `Response: Follows` frames become `{ response: 'follows', content, actionid }`.
 * - Every emit happens on process.nextTick, in arrival order: an ActionID-named event
 *   `(error | undefined, response)` plus `'response'` for responses, `'managerevent'` and
 *   the lower-cased event name for events, `'asterisk'` for anything else.
 * - `action()` upper-cases the first letter of each lower-cased key, sorts the lines,
 *   takes `actionid` from the object or invents `Date.now()`; until `login()` succeeded
 *   it holds every action but `login` in memory. Pending ActionID listeners are never
 *   rejected when the socket closes.
 * - `login(cb)` sends `Username`, `Secret` and `Event: on|off` (a header Asterisk ignores:
 *   it reads `Events`); cb(error) receives the `Response: Error` frame; only a successful
 *   login marks the instance authenticated.
 * - `connect(port, host, cb)` calls `net.createConnection(port, host)`: passing a
 *   NetConnectOpts object as `port` reaches Node unchanged (we use it for `signal`).
 * - A no-op `'error'` listener is installed, so socket errors never throw.
 */
declare module 'asterisk-manager' {
  import type { NetConnectOpts } from 'node:net';

  /** A frame as the library parsed it: lower-cased keys. */
  export interface ManagerMessage {
    [key: string]: string | string[] | Record<string, string> | undefined;
  }

  export type ManagerCallback = (error?: ManagerMessage | Error | null, response?: ManagerMessage) => void;

  /** Fields of an action: keys are lower-cased by the library; `actionid` is taken out. */
  export interface ManagerActionFields {
    [key: string]: string | number | boolean | readonly (string | number)[] | Record<string, string> | undefined;
  }

  export interface ManagerOptions {
    port: number | undefined;
    host: string;
    username: string;
    password: string;
    events: boolean;
  }

  export interface ManagerInstance {
    readonly options: ManagerOptions;
    /** Opens the TCP connection (a no-op while one is open); cb runs on 'connect'. */
    connect(port: number | NetConnectOpts, host?: string, callback?: (error: null) => void): void;
    /** Sends Login with the constructor's username/password; cb(error) on `Response: Error`. */
    login(callback?: (error?: ManagerMessage) => void): void;
    /** Writes the action (or holds it until login); returns the ActionID used. */
    action(fields: ManagerActionFields, callback?: ManagerCallback): string;
    /** Ends the socket gracefully (FIN, no destroy) and forgets it. */
    disconnect(callback?: () => void): void;
    isConnected(): boolean;
    connected(): boolean;
    /** Do not use: its backoff resets on every TCP connect and it logs with console.log. */
    keepConnected(): void;

    on(event: 'managerevent' | 'response' | 'asterisk' | 'rawevent', listener: (message: ManagerMessage) => void): this;
    on(event: 'connect' | 'end', listener: () => void): this;
    on(event: 'close', listener: (hadError: boolean) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: string, listener: (...args: any[]) => void): this;
    once(event: string, listener: (...args: any[]) => void): this;
    removeListener(event: string, listener: (...args: any[]) => void): this;
    removeAllListeners(event?: string): this;
    listeners(event: string): Function[];
    emit(event: string, ...args: unknown[]): boolean;
  }

  interface ManagerFactory {
    /** A falsy port skips the auto-connect (and the auto-login) of the constructor. */
    (port?: number, host?: string, username?: string, password?: string, events?: boolean): ManagerInstance;
    new (port?: number, host?: string, username?: string, password?: string, events?: boolean): ManagerInstance;
  }

  const Manager: ManagerFactory;
  export default Manager;
}
