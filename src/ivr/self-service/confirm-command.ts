import { timingSafeEqual } from 'node:crypto';
import { isClient, requireClient } from './guards.js';
import type { SelfServiceCommand } from './types.js';

/**
 * hubsoft-confirm,linkedid,DIGITS: the caller found by phone types the first selfService.confirmDigits digits of
 * the CPF/CNPJ. After selfService.confirmAttempts wrong tries the call gets no more (denied/too_many_attempts).
 */
export const confirmCommand: SelfServiceCommand = {
  name: 'hubsoft-confirm',
  variable: 'CONFIRMACAO',
  values: ['CONFIRMACAO_RESTANTES'],
  async run(context) {
    const client = requireClient(context);
    if (!isClient(client)) return client;
    const { state } = context;
    const { confirmDigits, confirmAttempts } = context.shared.deps.config;
    const left = () => ({ CONFIRMACAO_RESTANTES: String(Math.max(0, confirmAttempts - state.confirmFailures)) });
    if (state.confirmed) return { status: 'ok', values: left() };
    if (state.confirmFailures >= confirmAttempts) return { status: 'denied', reason: 'too_many_attempts', values: left() };
    if (!client.cpf_cnpj || client.cpf_cnpj.length < confirmDigits) return { status: 'denied', reason: 'no_document_on_record', values: left() };
    const typed = (context.args[0] ?? '').replace(/\D/g, '');
    const expected = client.cpf_cnpj.slice(0, confirmDigits);
    if (typed.length === expected.length && timingSafeEqual(Buffer.from(typed), Buffer.from(expected))) {
      state.confirmed = true;
      return { status: 'ok', values: left() };
    }
    state.confirmFailures += 1;
    return { status: 'denied', reason: state.confirmFailures >= confirmAttempts ? 'too_many_attempts' : 'wrong_digits', values: left() };
  },
};
