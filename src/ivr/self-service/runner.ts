import { isBridgeError } from '../../errors.js';
import { callerIdOf, formatSetVariable } from '../agi-protocol.js';
import { realTimers } from '../../util/timers.js';
import type { AgiScript } from '../fastagi-server.js';
import { withinDeadline } from '../../util/deadline.js';
import { MAX_HISTORY } from './call-state.js';
import type { CommandContext, CommandOutcome, SelfServiceCommand, SelfServiceShared } from './types.js';

/**
 * Turns a command into an AGI script: reads the linkedid and arguments, runs the command within
 * selfService.deadlineMs (late or failed = STATUS error), speaks its message when TTS is on, then sets the
 * values, REASON, MSG, MSG_SOM and STATUS last, so a dialplan that sees STATUS sees everything.
 */
export function commandScript(command: SelfServiceCommand, shared: SelfServiceShared): AgiScript {
  const { deps } = shared;
  const now = deps.now ?? Date.now;
  const timers = deps.timers ?? realTimers;
  const prefix = deps.variablePrefix ?? 'HUBSOFT_';
  const maxBytes = deps.maxValueBytes ?? 500;
  const deadlineMs = deps.config.deadlineMs;
  return async (session, env) => {
    const started = now();
    const linkedid = (env['agi_arg_1'] ?? '').trim() || (env['agi_uniqueid'] ?? '').trim() || 'unknown';
    const args: string[] = [];
    for (let i = 2; env[`agi_arg_${i}`] !== undefined && i < 12; i++) args.push(env[`agi_arg_${i}`]!.trim());
    const log = deps.logger?.child({ command: command.name, linkedid });
    let context: CommandContext | undefined;
    const run = async (): Promise<CommandOutcome> => {
      await shared.store.ready; // the last run's counts and calls first
      context = { env, linkedid, args, callerId: callerIdOf(env), state: shared.calls.get(linkedid), shared, ...(log ? { log } : {}) };
      const outcome = await command.run(context);
      void shared.store.save();
      return outcome;
    };

    let outcome: CommandOutcome;
    const timed = await withinDeadline(run(), deadlineMs, timers);
    if (timed.kind === 'done') {
      outcome = timed.value;
    } else if (timed.kind === 'late') {
      if (context) context.overdue = true;
      outcome = context?.late ?? { status: 'error', reason: 'timeout' };
      log?.warn({ code: 'SELF_SERVICE_TIMEOUT', deadlineMs, status: outcome.status, reason: outcome.reason }, `self-service command over its deadline: STATUS=${outcome.status}`);
    } else {
      log?.warn({ err: timed.error }, 'self-service command failed: STATUS=error');
      outcome = { status: 'error', reason: isBridgeError(timed.error) ? timed.error.code.toLowerCase() : 'failed' };
    }

    if (context && !command.untracked) record(context, command, outcome);

    let sound = '';
    if (outcome.msg && deps.tts) {
      const left = Math.max(0, deadlineMs - (now() - started));
      const spoken = await withinDeadline(deps.tts.soundFor(outcome.msg), left, timers);
      if (spoken.kind === 'done' && spoken.value) sound = spoken.value;
    }

    const v = command.variable;
    const vars: [string, string][] = command.values.map((name) => [`${prefix}${name}`, outcome.values?.[name] ?? '']);
    vars.push([`${prefix}${v}_REASON`, outcome.reason ?? ''], [`${prefix}${v}_MSG`, outcome.msg ?? ''], [`${prefix}${v}_MSG_SOM`, sound]);
    vars.push([`${prefix}${v}_STATUS`, outcome.status]);
    for (const [name, value] of vars) {
      const reply = await session.command(formatSetVariable(name, value, maxBytes));
      if (reply.code !== 200 || reply.result !== '1') log?.warn({ variable: name, code: reply.code, reply: reply.text }, 'Asterisk refused SET VARIABLE');
    }
    log?.debug({ status: outcome.status, reason: outcome.reason ?? '' }, 'self-service command done');
  };
}

/** What self-service did in this call, for the ticket edit after it (call-end-command.ts). */
function record(context: CommandContext, command: SelfServiceCommand, outcome: CommandOutcome): void {
  const { state } = context;
  state.history.push(`${command.name.replace(/^hubsoft-/, '')}:${outcome.status}${outcome.reason ? `:${outcome.reason}` : ''}`);
  if (state.history.length > MAX_HISTORY) state.history.splice(0, state.history.length - MAX_HISTORY);
  if (command.resolves && outcome.status === 'ok' && !outcome.reason) state.resolved = true;
  void context.shared.store.save();
}
