import type { AmiActions, AmiResponse } from '../ami/types.js';
import type { Logger } from '../log/logger.js';
import type { AlertVariable } from './alert-variables.js';
import { safeAmiValue } from './sanitize.js';

export interface PushOptions {
  readonly logger?: Logger;
  /** The whole push stops after this long; HUBSOFT_LOOKUP is still attempted. Default 3000 ms. */
  readonly totalTimeoutMs?: number;
  /** Timeout of each Setvar action (capped by what is left of the total). Default 1000 ms. */
  readonly actionTimeoutMs?: number;
  /** Values are cut to this many bytes of UTF-8. Default 500 (alerts.maxValueBytes). */
  readonly maxValueBytes?: number;
  readonly now?: () => number;
}

export interface PushResult {
  /** Variables Asterisk acknowledged with Response: Success. */
  readonly set: number;
  readonly failed: number;
  /** Why the push stopped before the end, if it did. */
  readonly stopped: 'channel-gone' | 'deadline' | 'link-error' | null;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Time kept for the last variable (HUBSOFT_LOOKUP) when the deadline cut the others short. */
const LAST_ACTION_RESERVE_MS = 250;

/**
 * Sets the variables on `channel` with one Setvar action each, in order, the last one (HUBSOFT_LOOKUP) last.
 * Always names the Channel: a Setvar without one sets a global variable. Never throws: errors are logged and
 * counted, the call goes on.
 */
export async function pushAlertVariables(
  ami: AmiActions,
  channel: string,
  vars: readonly AlertVariable[],
  options: PushOptions = {},
): Promise<PushResult> {
  const log = options.logger;
  const now = options.now ?? Date.now;
  const maxBytes = options.maxValueBytes ?? 500;
  const actionTimeoutMs = options.actionTimeoutMs ?? 1000;
  const deadline = now() + (options.totalTimeoutMs ?? 3000);
  const target = safeAmiValue(channel, 256);
  if (!target || target !== channel) {
    log?.warn({ channel }, 'alert variables not pushed: missing or unsafe channel name');
    return { set: 0, failed: vars.length, stopped: 'channel-gone' };
  }

  let set = 0;
  let failed = 0;
  let stopped: PushResult['stopped'] = null;
  const lastIndex = vars.length - 1;

  for (let i = 0; i < vars.length; i++) {
    const [name, raw] = vars[i]!;
    const isLast = i === lastIndex;
    if (!VARIABLE_NAME.test(name)) {
      failed++;
      log?.error({ name }, 'alert variable with an invalid name skipped (a bug: names are fixed in code)');
      continue;
    }
    if (stopped === 'channel-gone') break;
    if (stopped !== null && !isLast) {
      failed++;
      continue;
    }
    let left = deadline - now();
    if (left <= 0 && !isLast) {
      stopped = 'deadline';
      failed++;
      continue;
    }
    if (isLast) left = Math.max(left, LAST_ACTION_RESERVE_MS);

    const action = { Action: 'Setvar', Channel: target, Variable: name, Value: safeAmiValue(raw, maxBytes) };
    try {
      const response = await ami.send(action, { timeoutMs: Math.max(1, Math.min(actionTimeoutMs, left)) });
      if (isSuccess(response)) {
        set++;
      } else {
        failed++;
        if (isNoSuchChannel(response)) {
          stopped = 'channel-gone';
          log?.debug({ channel: target }, 'channel gone before its alert variables were set');
        } else {
          log?.warn({ channel: target, variable: name, message: response.message }, 'Asterisk refused a Setvar');
        }
      }
    } catch (err) {
      failed++;
      stopped = stopped ?? 'link-error';
      log?.warn({ channel: target, variable: name, err }, 'Setvar failed');
    }
  }
  return { set, failed, stopped };
}

function isSuccess(response: AmiResponse): boolean {
  return (response.response ?? '').toLowerCase() === 'success';
}

function isNoSuchChannel(response: AmiResponse): boolean {
  return /no such channel/i.test(response.message ?? '');
}
