import type { LookupResult } from '../hubsoft/types.js';
import type { CallerContext } from '../hubsoft/caller-context.js';
import type { Logger } from '../log/logger.js';
import { isBridgeError } from '../errors.js';
import type { AlertPreparer } from './alert-preparer.js';
import { callerIdOf, formatSetVariable } from './agi-protocol.js';
import type { AgiScript } from './fastagi-server.js';
import { withinDeadline } from '../util/deadline.js';

/** The name the dialplan calls: AGI(agi://127.0.0.1/hubsoft-lookup,${CHANNEL(linkedid)}). */
export const HUBSOFT_LOOKUP_SCRIPT = 'hubsoft-lookup';

/** The (cached) caller lookup; linkedid ties it to the call the AMI side follows ('' when not passed). */
export type CallerLookup = (callerId: string, linkedid: string) => Promise<LookupResult>;

/** The caller's context for a lookup result, resolving within deadlineMs (CallerContextSource.forCaller). */
export type CallerContextFor = (result: LookupResult, deadlineMs: number) => Promise<CallerContext | null>;

export interface HubsoftLookupScriptOptions {
  readonly lookup: CallerLookup;
  /** Absent: no context variables. Gets what is left of the deadline after the lookup. */
  readonly context?: CallerContextFor;
  readonly preparer: AlertPreparer;
  /** Lookup plus sounds never take longer than this (agi.deadlineMs). */
  readonly deadlineMs: number;
  /** alerts.maxValueBytes. */
  readonly maxValueBytes: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * hubsoft-lookup: looks the caller up within the deadline (a late or failed lookup counts as "error"),
 * then sets the alert variables with SET VARIABLE, HUBSOFT_LOOKUP last, checking each "200 result=1".
 */
export function createHubsoftLookupScript(options: HubsoftLookupScriptOptions): AgiScript {
  const { logger } = options;
  const now = options.now ?? Date.now;
  return async (session, env) => {
    const started = now();
    const callerId = callerIdOf(env);
    const linkedid = (env['agi_arg_1'] ?? '').trim();
    const result = await lookupWithin(options.lookup, callerId, linkedid, options.deadlineMs, logger);
    const context = options.context ? await contextWithin(options.context, result, Math.max(0, options.deadlineMs - (now() - started))) : null;
    const left = Math.max(0, options.deadlineMs - (now() - started));
    const vars = await options.preparer.variablesFor(result, { soundDeadlineMs: left, context });
    for (const [name, value] of vars) {
      const reply = await session.command(formatSetVariable(name, value, options.maxValueBytes));
      if (reply.code !== 200 || reply.result !== '1') {
        logger?.warn({ variable: name, code: reply.code, reply: reply.text }, 'Asterisk refused SET VARIABLE');
      }
    }
    logger?.debug({ linkedid, status: result.status, variables: vars.length }, 'FastAGI hubsoft-lookup done');
  };
}

/** The lookup, or an "error" result when it fails or outlives the deadline. Never rejects. */
async function lookupWithin(
  lookup: CallerLookup,
  callerId: string,
  linkedid: string,
  deadlineMs: number,
  logger?: Logger,
): Promise<LookupResult> {
  const timed = await withinDeadline(Promise.resolve().then(() => lookup(callerId, linkedid)), deadlineMs);
  if (timed.kind === 'done') return timed.value;
  if (timed.kind === 'late') {
    logger?.warn({ linkedid, deadlineMs }, 'FastAGI lookup over its deadline: HUBSOFT_LOOKUP=error');
    return errorResult(callerId, 'LOOKUP_TIMEOUT');
  }
  logger?.warn({ linkedid, err: timed.error }, 'FastAGI lookup failed: HUBSOFT_LOOKUP=error');
  return errorResult(callerId, isBridgeError(timed.error) ? timed.error.code : 'LOOKUP_FAILED');
}

/** The context within `ms` (the source keeps its own, slightly shorter, deadline; this guards it), null when late or failed. */
async function contextWithin(context: CallerContextFor, result: LookupResult, ms: number): Promise<CallerContext | null> {
  const timed = await withinDeadline(Promise.resolve().then(() => context(result, Math.max(0, ms - 25))), ms);
  return timed.kind === 'done' ? timed.value : null;
}

function errorResult(raw: string, reason: string): LookupResult {
  return { status: 'error', raw, phone: null, candidates: [], clients: [], client: null, reason };
}
