import type { FastAgiServer } from '../fastagi-server.js';
import { callEndCommand } from './call-end-command.js';
import { CallStates } from './call-state.js';
import { confirmCommand } from './confirm-command.js';
import { connectionCommand } from './connection-command.js';
import { DailyCounters } from './daily-cap.js';
import { gsanCommand } from './gsan-command.js';
import { identifyCommand } from './identify-command.js';
import { invoicesCommand } from './invoices-command.js';
import { limitedApi } from './limited-api.js';
import { protocolCommand } from './protocol-command.js';
import { reconnectCommand, resetMacCommand } from './self-fix-commands.js';
import { commandScript } from './runner.js';
import { secondCopyCommand } from './second-copy-command.js';
import { SelfServiceStateFile } from './state-file.js';
import type { SelfServiceCommand, SelfServiceDeps, SelfServiceShared } from './types.js';
import { unlockCommand } from './unlock-command.js';

/** Every self-service command, in menu order. */
export const SELF_SERVICE_COMMANDS: readonly SelfServiceCommand[] = [
  identifyCommand,
  confirmCommand,
  invoicesCommand,
  secondCopyCommand,
  unlockCommand,
  connectionCommand,
  resetMacCommand,
  reconnectCommand,
  protocolCommand,
  callEndCommand,
  gsanCommand,
];

export interface SelfService {
  /** Script names registered on the server. */
  readonly scripts: readonly string[];
  /** Per-call state (identity, sends, protocol), keyed by linkedid. */
  readonly calls: CallStates;
  /**
   * The protocol number told to the caller of this call, or null: put it into ligacao_params
   * (e.g. { protocolo }) when the call then rings an agent.
   */
  protocolFor(linkedid: string): string | null;
  /** What self-service did in this call (`<command>:<status>[:<reason>]`), e.g. for the agent's ligacao_params. */
  historyFor(linkedid: string): readonly string[];
  /** Resolves once the last run's state is loaded (commands wait for it themselves). */
  readonly ready: Promise<void>;
  /** Resolves once the state is on disk (stop). */
  flush(): Promise<void>;
}

/**
 * Registers the self-service commands on the bridge's FastAGI server (does nothing when selfService.enabled is
 * false). They share the HubSoft client (behind one queue of selfService.concurrency), the cached caller lookup,
 * the per-call state and the daily counts, both saved under deps.stateDir (loaded before the first command runs).
 */
export function registerSelfService(server: FastAgiServer, deps: SelfServiceDeps): SelfService {
  const now = deps.now ?? Date.now;
  const calls = new CallStates({ ttlMs: deps.config.callTtlSeconds * 1000, now });
  const counters = new DailyCounters({ now });
  const store = new SelfServiceStateFile(deps.stateDir ?? null, counters, calls, { fsync: deps.fsync ?? true, ...(deps.logger ? { logger: deps.logger } : {}) });
  const shared: SelfServiceShared = { deps, api: limitedApi(deps.api, deps.config.concurrency), calls, counters, store };
  const scripts: string[] = [];
  if (deps.config.enabled) {
    for (const command of SELF_SERVICE_COMMANDS) {
      server.register(command.name, commandScript(command, shared));
      scripts.push(command.name);
    }
  }
  return { scripts, calls, protocolFor: (linkedid) => calls.protocolFor(linkedid), historyFor: (linkedid) => calls.historyFor(linkedid), ready: store.ready, flush: () => store.flush() };
}
