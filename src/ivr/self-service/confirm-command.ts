import { timingSafeEqual } from 'node:crypto';
import { accessValues, callerKey, changeAccess, isClient, requireClient } from './guards.js';
import type { CommandContext, CommandOutcome, SelfServiceCommand } from './types.js';

/**
 * hubsoft-confirm,linkedid,DIGITS: the caller identified by caller ID types the first selfService.confirmDigits
 * digits of the CPF/CNPJ (or the whole document) before changes to the account. Wrong tries are capped per call
 * (confirmAttempts) and, in state.dir, per client and per calling number per day: once a cap is reached no digits
 * are checked (denied/too_many_attempts). A caller identified by document only cannot confirm (needs_caller_id).
 * Every attempt is logged with the caller's number, never the digits.
 */
export const confirmCommand: SelfServiceCommand = {
  name: 'hubsoft-confirm',
  variable: 'CONFIRMACAO',
  values: ['CONFIRMACAO_RESTANTES', 'CONFIRMAR', 'ALTERACOES'],
  async run(context) {
    const client = requireClient(context);
    if (!isClient(client)) return client;
    const { state } = context;
    const { config } = context.shared.deps;
    const access = changeAccess(state, config);
    if (access === 'allowed') return answer(context, 'ok');
    if (access === 'agent') return answer(context, 'denied', 'needs_caller_id');
    const typed = (context.args[0] ?? '').replace(/\D/g, '');
    if (!typed) return answer(context, 'denied', 'no_digits');
    const document = client.cpf_cnpj;
    if (!document || document.length < config.confirmDigits) return answer(context, 'denied', 'no_document_on_record');

    const caller = callerKey(context);
    const logged = { caller, id_cliente: client.id_cliente };
    if (left(context) === 0) {
      context.log?.warn({ ...logged, result: 'capped' }, 'self-service confirmation refused: attempts used up, digits not checked');
      return answer(context, 'denied', 'too_many_attempts');
    }
    // From the cap check to the count taken nothing awaits: concurrent sessions cannot all pass the check.
    if (equal(typed, document.slice(0, config.confirmDigits)) || equal(typed, document)) {
      state.confirmed = true;
      context.log?.info({ ...logged, result: 'confirmed' }, 'self-service confirmation attempt');
      return answer(context, 'ok');
    }
    state.confirmFailures += 1;
    const today = context.shared.counters.add(`confirm-fail:client:${client.id_cliente}`);
    context.shared.counters.add(`confirm-fail:caller:${caller}`);
    await context.shared.store.save();
    context.log?.warn({ ...logged, result: 'wrong', failuresToday: today }, 'self-service confirmation attempt failed');
    return answer(context, 'denied', left(context) === 0 ? 'too_many_attempts' : 'wrong_digits');
  },
};

/** Tries left: the least of the call's, the client's today and the caller number's today. */
function left(context: CommandContext): number {
  const { config } = context.shared.deps;
  const { counters } = context.shared;
  const id = context.state.client?.id_cliente;
  return Math.max(
    0,
    Math.min(
      config.confirmAttempts - context.state.confirmFailures,
      config.confirmFailuresPerClientPerDay - counters.used(`confirm-fail:client:${id}`),
      config.confirmFailuresPerCallerPerDay - counters.used(`confirm-fail:caller:${callerKey(context)}`),
    ),
  );
}

function answer(context: CommandContext, status: 'ok' | 'denied', reason?: string): CommandOutcome {
  const values = { CONFIRMACAO_RESTANTES: String(left(context)), ...accessValues(context.state, context.shared.deps.config) };
  return reason ? { status, reason, values } : { status, values };
}

function equal(typed: string, expected: string): boolean {
  return typed.length === expected.length && timingSafeEqual(Buffer.from(typed), Buffer.from(expected));
}
